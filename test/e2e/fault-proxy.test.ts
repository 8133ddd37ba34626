import { CreateUserCommand, GetUserCommand, ListUsersCommand, type IAMClient } from '@aws-sdk/client-iam';
import { ListInstancesCommand } from '@aws-sdk/client-sso-admin';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { isThrottlingError, isTransientError } from '@smithy/core/retry';
import type { SdkError as SmithyError } from '@smithy/types';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { createEmulatorClients, destroyEmulatorClients, type EmulatorClients } from './support/aws-clients.js';
import { startFaultProxy, type FaultProxy, type ProxyLogEntry } from './support/fault-proxy.js';
import { useEmulatorSandbox } from './support/sandbox.js';

const endpoint = inject('motoEndpoint');

/** The SDK's error, and the Node.js `code` a network failure carries. */
type SdkError = SmithyError & { code?: string };

/** The error a call ends with; fails the test when it succeeds. */
async function failure(call: () => Promise<unknown>): Promise<SdkError> {
  try {
    await call();
  } catch (error) {
    return error as SdkError;
  }
  throw new Error('the call succeeded');
}

const summary = (entries: readonly ProxyLogEntry[]) => entries.map((e) => `${e.operation}:${e.fault ?? (e.forwarded ? 'forwarded' : '?')}`);

/**
 * The fault proxy itself, driven by the harness's SDK clients (2 attempts, standard retry): each
 * fault is seen by the SDK as AWS's own would be, and the log tells what reached moto.
 */
describe.skipIf(endpoint === null)('the fault proxy', () => {
  const motoEndpoint = endpoint ?? '';
  let direct: EmulatorClients;
  let proxy: FaultProxy;
  let viaProxy: EmulatorClients;
  let iam: IAMClient;
  useEmulatorSandbox(motoEndpoint, (sandbox) => {
    direct = sandbox.clients;
  });
  beforeAll(async () => {
    proxy = await startFaultProxy({ upstream: motoEndpoint, seed: 7 });
  });
  afterAll(async () => {
    await proxy.close();
  });
  beforeEach(() => {
    proxy.setRules([]);
    proxy.clearLog();
    viaProxy = createEmulatorClients(proxy.endpoint);
    iam = viaProxy.iam;
  });
  afterEach(() => destroyEmulatorClients(viaProxy));

  it('throttles in the Query shape: the SDK reads Throttling, retries it, and the retry reaches moto', async () => {
    proxy.setRules([{ fault: 'throttle', operation: 'CreateUser', times: 1 }]);
    await iam.send(new CreateUserCommand({ UserName: 'throttled' }));
    expect(summary(proxy.log())).toEqual(['CreateUser:throttle', 'CreateUser:forwarded']);
    expect(proxy.forwardedMutations('iam')).toHaveLength(1);

    proxy.setRules([{ fault: 'throttle', operation: ['ListUsers', 'GetCallerIdentity'] }]);
    for (const call of [() => iam.send(new ListUsersCommand({})), () => viaProxy.sts.send(new GetCallerIdentityCommand({}))]) {
      const error = await failure(call);
      expect(error.name).toBe('Throttling');
      expect(error.message).toBe('Rate exceeded');
      expect(isThrottlingError(error)).toBe(true);
      expect(error.$metadata).toMatchObject({ httpStatusCode: 400, attempts: 2 });
    }
  });

  it('throttles in the JSON 1.1 shape: the SDK reads ThrottlingException and retries it', async () => {
    proxy.setRules([{ fault: 'throttle', operation: 'ListInstances', service: 'sso' }]);
    const error = await failure(() => viaProxy.ssoAdmin.send(new ListInstancesCommand({})));
    expect(error.name).toBe('ThrottlingException');
    expect(isThrottlingError(error)).toBe(true);
    expect(error.$metadata).toMatchObject({ httpStatusCode: 400, attempts: 2 });
    expect(proxy.log().every((e) => e.protocol === 'json' && e.operation === 'ListInstances' && !e.forwarded)).toBe(true);

    proxy.setRules([{ fault: 'throttle', operation: 'ListInstances', times: 1 }]);
    expect((await viaProxy.ssoAdmin.send(new ListInstancesCommand({}))).Instances).toBeDefined();
  });

  it('answers 500 InternalFailure, which the SDK retries as transient, in both protocols', async () => {
    proxy.setRules([{ fault: 'error500', operation: ['ListUsers', 'ListInstances'] }]);
    for (const call of [() => iam.send(new ListUsersCommand({})), () => viaProxy.ssoAdmin.send(new ListInstancesCommand({}))]) {
      const error = await failure(call);
      expect(error.name).toBe('InternalFailure');
      expect(isTransientError(error)).toBe(true);
      expect(error.$metadata).toMatchObject({ httpStatusCode: 500, attempts: 2 });
    }
    proxy.setRules([{ fault: 'error500', operation: 'CreateUser', times: 1 }]);
    await iam.send(new CreateUserCommand({ UserName: 'after-500' }));
    expect(proxy.forwardedMutations().map((e) => e.params.UserName)).toEqual(['after-500']);
  });

  it('resets the connection without forwarding: the SDK retries, and moto sees the call once', async () => {
    proxy.setRules([{ fault: 'reset', operation: 'CreateUser', times: 1 }]);
    await iam.send(new CreateUserCommand({ UserName: 'after-reset' }));
    expect(summary(proxy.log())).toEqual(['CreateUser:reset', 'CreateUser:forwarded']);
    expect(proxy.forwardedMutations()).toHaveLength(1);

    proxy.setRules([{ fault: 'reset', operation: 'GetUser' }]);
    const error = await failure(() => iam.send(new GetUserCommand({ UserName: 'after-reset' })));
    expect(error.code).toBe('ECONNRESET');
    expect(isTransientError(error)).toBe(true);
  });

  it('drops the answer of a call moto applied: the SDK retries CreateUser and gets EntityAlreadyExists', async () => {
    proxy.setRules([{ fault: 'drop-after-apply', operation: 'CreateUser', times: 1 }]);
    const error = await failure(() => iam.send(new CreateUserCommand({ UserName: 'applied-twice' })));
    expect(error.name).toBe('EntityAlreadyExistsException');
    expect(error.$metadata).toMatchObject({ httpStatusCode: 409, attempts: 2 });
    // Both attempts reached moto: the first was applied, its answer lost; the second was refused.
    expect(proxy.forwardedMutations().map((e) => [e.fault, e.upstreamStatus, e.upstreamError, e.clientStatus])).toEqual([
      ['drop-after-apply', 200, null, null],
      [null, 409, 'EntityAlreadyExists', 409],
    ]);
    expect((await direct.iam.send(new GetUserCommand({ UserName: 'applied-twice' }))).User?.UserName).toBe('applied-twice');
  });

  it('matches a predicate on the request, and draws probabilities from its seed alone', async () => {
    proxy.setRules([{ fault: 'throttle', operation: 'CreateUser', when: (r) => r.params.UserName === 'only-me', times: 1 }]);
    await iam.send(new CreateUserCommand({ UserName: 'not-me' }));
    await iam.send(new CreateUserCommand({ UserName: 'only-me' }));
    expect(summary(proxy.log())).toEqual(['CreateUser:forwarded', 'CreateUser:throttle', 'CreateUser:forwarded']);

    const pattern = async (seed: number): Promise<string[]> => {
      const seeded = await startFaultProxy({ upstream: motoEndpoint, seed, rules: [{ fault: 'error500', operation: 'ListUsers', probability: 0.3 }] });
      try {
        for (let i = 0; i < 40; i += 1) await fetch(seeded.endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=ListUsers&Version=2010-05-08' });
        return seeded.log().map((e) => (e.fault ? 'F' : '.'));
      } finally {
        await seeded.close();
      }
    };
    const first = await pattern(42);
    expect(await pattern(42)).toEqual(first);
    expect(await pattern(43)).not.toEqual(first);
    const fired = first.filter((f) => f === 'F').length;
    expect(fired).toBeGreaterThan(4);
    expect(fired).toBeLessThan(20);
  });

  it('holds a call until released, and never forwards a held call whose client gave up', async () => {
    proxy.setRules([{ fault: 'hold', operation: 'CreateUser' }]);
    const held = iam.send(new CreateUserCommand({ UserName: 'held' }));
    await until(() => proxy.held() === 1);
    expect(proxy.forwardedMutations('iam')).toHaveLength(0);
    proxy.release();
    await held;
    expect(proxy.forwardedMutations('iam').map((e) => e.params['UserName'])).toEqual(['held']);

    const abort = new AbortController();
    const abandoned = iam.send(new CreateUserCommand({ UserName: 'abandoned' }), { abortSignal: abort.signal });
    await until(() => proxy.held() === 1);
    abort.abort();
    await expect(abandoned).rejects.toThrow();
    await until(() => proxy.held() === 0);
    proxy.release();
    expect(proxy.forwardedMutations('iam').map((e) => e.params['UserName'])).toEqual(['held']);
    await expect(direct.iam.send(new GetUserCommand({ UserName: 'abandoned' }))).rejects.toThrow();
  });

  it('closes with keep-alive connections open, and refuses a non-loopback upstream', async () => {
    const own = await startFaultProxy({ upstream: motoEndpoint, seed: 1 });
    const client = createEmulatorClients(own.endpoint);
    try {
      await client.iam.send(new ListUsersCommand({}));
      const started = Date.now();
      await own.close();
      expect(Date.now() - started).toBeLessThan(1_000);
      await expect(client.iam.send(new ListUsersCommand({}))).rejects.toThrow();
    } finally {
      destroyEmulatorClients(client);
    }
    await expect(startFaultProxy({ upstream: 'http://10.0.0.1:5000', seed: 1 })).rejects.toThrow(/non-loopback/);
  });
});

/** Waits (a few seconds at most) until `condition` holds: the proxy sees requests asynchronously. */
async function until(condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited > 5_000) throw new Error('the condition did not hold within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
