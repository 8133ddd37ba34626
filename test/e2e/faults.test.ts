import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { createEmulatorClients, destroyEmulatorClients, type EmulatorClients } from './support/aws-clients.js';
import { PEOPLE, readyAccount, type FaultAccount } from './support/fault-journey.js';
import { startFaultProxy, type FaultProxy, type FaultRule } from './support/fault-proxy.js';
import { about, faultRuns, iamWrite, unfinished } from './support/fault-runs.js';
import { readRetiredUser } from './support/fault-state.js';
import { resetMoto } from './support/moto.js';
import { useEmulatorSandbox } from './support/sandbox.js';

const endpoint = inject('motoEndpoint');
const motoEndpoint = endpoint ?? '';
const SEED = 20_261_207;

/**
 * Every run under test goes through the fault proxy (AWS_ENDPOINT_URL is the proxy); the set-up
 * phases and every check read moto directly. Each test has its own proxy, seeded the same.
 */
describe.skipIf(endpoint === null)('disable and enable through a faulty network', () => {
  let clients: EmulatorClients;
  let workspace: string;
  let proxy: FaultProxy;
  useEmulatorSandbox(motoEndpoint, (sandbox) => {
    ({ clients, workspace } = sandbox);
  });
  beforeEach(async () => {
    proxy = await startFaultProxy({ upstream: motoEndpoint, seed: SEED });
  });
  afterEach(() => proxy.close());
  const runs = faultRuns({ motoEndpoint, clients: () => clients, workspace: () => workspace, proxy: () => proxy });

  it('a PutUserPolicy applied but unanswered, then throttled until the SDK gives up, ends recorded as done, and enable undoes exactly it', async () => {
    const { accountId } = await readyAccount(clients, runs.direct);
    const before = await runs.accessOf(PEOPLE);
    // Every attempt the SDK has left (8 in all) fails, the last one throttled: it gives up with Throttling.
    // Three are 500s, not throttles, only to keep the SDK's backoff (1 s base for throttling, doubling) short.
    const storm: FaultRule['fault'][] = ['drop-after-apply', 'throttle', 'throttle', 'throttle', 'error500', 'error500', 'error500', 'throttle'];
    proxy.setRules(storm.map((fault) => ({ fault, operation: 'PutUserPolicy', when: about('ann.lee'), times: 1 })));
    const disable = ['disable', '--yes', '--confirm-account', accountId];
    await runs.untilDone('disable', disable, runs.disableAgrees(before));
    const annPuts = proxy.log().filter((e) => e.operation === 'PutUserPolicy' && e.params.UserName === 'ann.lee');
    expect(annPuts.slice(0, 8).map((e) => e.fault), 'the SDK met the whole storm').toEqual(storm);
    await runs.expectNoOpRerun('disable', disable);

    await runs.untilDone('enable', ['enable', '--yes'], runs.enableAgrees(before));
    await runs.expectNoOpRerun('enable', ['enable', '--yes']);
  });

  it('the whole retirement, disable → enable → disable → cleanup → restore, through seeded throttling, 500s, resets and lost answers', { timeout: 170_000 }, async () => {
    const { accountId } = await readyAccount(clients, runs.direct);
    const original = await runs.accessOf(PEOPLE);
    const fired = new Set<string>();
    // About one IAM change in five throttled, and a few 500s, resets and lost answers in every phase.
    const noise: FaultRule[] = [
      { fault: 'throttle', when: iamWrite, probability: 0.2 },
      { fault: 'drop-after-apply', when: iamWrite, probability: 0.08, times: 2 },
      { fault: 'reset', when: iamWrite, probability: 0.08, times: 2 },
      { fault: 'error500', when: iamWrite, probability: 0.08, times: 2 },
    ];
    const phase = async (label: string, args: string[], lostAnswer: string, agree: (done: boolean) => Promise<void>) => {
      // Each phase also loses the answer of its first call of one kind, whatever the draws.
      proxy.setRules([{ fault: 'drop-after-apply', operation: lostAnswer, times: 1 }, ...noise]);
      proxy.clearLog();
      await runs.untilDone(label, args, agree);
      for (const entry of proxy.log()) if (entry.fault) fired.add(entry.fault);
      await runs.expectNoOpRerun(label, args);
    };
    const disable = ['disable', '--yes', '--confirm-account', accountId];

    await phase('disable', disable, 'PutUserPolicy', runs.disableAgrees(original));
    const disabled = await runs.accessOf(PEOPLE);
    await phase('enable', ['enable', '--yes'], 'DeleteUserPolicy', runs.enableAgrees(original));
    await phase('disable again', disable, 'UpdateAccessKey', runs.disableAgrees(original));
    expect(await runs.accessOf(PEOPLE), 'the second disable switches off exactly what the first did').toEqual(disabled);
    for (const user of PEOPLE) expect((await readRetiredUser(workspace, user))?.state, `${user}: disabled again, as the journal shows`).toBe('disabled');
    await phase('cleanup', ['cleanup', '--min-disabled-days', '0', '--yes', '--confirm-account', accountId], 'DeleteAccessKey', runs.cleanupAgrees(disabled));
    await phase('restore', ['restore', '--all', '--yes'], 'CreateUser', runs.restoreAgrees(new Map(PEOPLE.map((u) => [u, disabled.get(u)!.userId]))));
    expect([...fired].sort(), 'every kind of fault met a run').toEqual(['drop-after-apply', 'error500', 'reset', 'throttle']);
  });
});

/**
 * One account, disabled once, for the scenarios of cleanup and restore: each takes one user of its
 * own (with --users / --user) and no other, which saves a set-up of some ten seconds per test.
 */
describe.skipIf(endpoint === null)('cleanup and restore through a faulty network', () => {
  let clients: EmulatorClients;
  let scratch: string;
  let account: FaultAccount;
  let proxy: FaultProxy;
  const workspace = () => join(scratch, 'workspace');
  const runs = faultRuns({ motoEndpoint, clients: () => clients, workspace, proxy: () => proxy });
  beforeAll(async () => {
    await resetMoto(motoEndpoint);
    scratch = await mkdtemp(join(tmpdir(), 'iam2idc-e2e-'));
    clients = createEmulatorClients(motoEndpoint);
    account = await readyAccount(clients, runs.direct, { disable: true });
  });
  afterAll(async () => {
    destroyEmulatorClients(clients);
    await rm(scratch, { recursive: true, force: true });
  });
  beforeEach(async () => {
    proxy = await startFaultProxy({ upstream: motoEndpoint, seed: SEED });
  });
  afterEach(() => proxy.close());
  const cleanup = (user: string) => ['cleanup', '--users', user, '--min-disabled-days', '0', '--yes', '--confirm-account', account.accountId];

  it('the lost answers of a DeleteAccessKey and a DeactivateMFADevice leave the user deleted, backed up, with no MFA device left', async () => {
    const before = await runs.accessOf(['ann.lee']);
    proxy.setRules([
      { fault: 'drop-after-apply', operation: 'DeleteAccessKey', when: about('ann.lee'), times: 1 },
      { fault: 'drop-after-apply', operation: 'DeactivateMFADevice', when: about('ann.lee'), times: 1 },
    ]);
    await runs.untilDone('cleanup', cleanup('ann.lee'), runs.cleanupAgrees(before));
    expect(proxy.log().filter((e) => e.fault !== null).map((e) => `${e.operation}:${e.fault}`)).toEqual(['DeleteAccessKey:drop-after-apply', 'DeactivateMFADevice:drop-after-apply']);
    await runs.expectNoOpRerun('cleanup', cleanup('ann.lee'));
  });

  it('a DeactivateMFADevice applied but unanswered, whose retries all fail, still ends with the virtual MFA device deleted', async () => {
    const before = await runs.accessOf(['cleo.park']);
    proxy.setRules([
      { fault: 'drop-after-apply', operation: 'DeactivateMFADevice', when: about('cleo.park'), times: 1 },
      // The SDK's every retry gets a 500: the run stops after the deactivation, before the device is deleted.
      { fault: 'error500', operation: 'DeactivateMFADevice', when: about('cleo.park'), times: 7 },
    ]);
    await runs.untilDone('cleanup', cleanup('cleo.park'), runs.cleanupAgrees(before));
    await runs.expectNoOpRerun('cleanup', cleanup('cleo.park'));
  });

  it('a CreateUser applied but unanswered makes no second user, and the run finishes the user', async () => {
    const deleted = await runs.direct(cleanup('ben.ortiz'));
    expect(deleted.code, deleted.stderr).toBe(0);
    const formerIds = new Map([['ben.ortiz', account.users.find((u) => u.name === 'ben.ortiz')!.userId]]);
    proxy.setRules([{ fault: 'drop-after-apply', operation: 'CreateUser', when: about('ben.ortiz'), times: 1 }]);
    const restore = ['restore', '--user', 'ben.ortiz', '--yes'];
    const run = await runs.faulty(restore);
    // The SDK's retry of the applied CreateUser was refused: the user already existed.
    expect(proxy.forwardedMutations().filter((e) => e.operation === 'CreateUser').map((e) => e.upstreamError)).toEqual([null, 'EntityAlreadyExists']);
    await runs.restoreAgrees(formerIds)(false);
    expect(run.code, `restore after a lost CreateUser answer: unfinished: ${unfinished(run)}\n${run.stderr.slice(-3_000)}`).toBe(0);
    await runs.restoreAgrees(formerIds)(true);
    await runs.expectNoOpRerun('restore', restore);
  });
});
