import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import type { EmulatorClients } from './support/aws-clients.js';
import { expectCleanupAgrees, expectDisableAgrees, expectEnableAgrees, expectRestoreAgrees } from './support/fault-agreement.js';
import { prepareForDisable, seedFaultAccount, type FaultAccount } from './support/fault-journey.js';
import { isMutatingOperation, startFaultProxy, type AwsRequestInfo, type FaultProxy, type FaultRule, type ProxyLogEntry } from './support/fault-proxy.js';
import { readAccessOf, readDisableRecordFile, readStateFile, readUserBackupFile, usersNamed, virtualMfaSerials, type UserAccess } from './support/fault-state.js';
import { runCli, type CliResult } from './support/run-cli.js';
import { useEmulatorSandbox } from './support/sandbox.js';

const endpoint = inject('motoEndpoint');
const PEOPLE = ['ann.lee', 'ben.ortiz', 'cleo.park'];
const SEED = 20_261_207;
const RUN_TIMEOUT_MS = 150_000;
/** A run that stops half-way (exit 1) is run again, as an operator would, this many times in all. */
const MAX_RUNS = 3;

const about = (user: string) => (r: AwsRequestInfo) => r.params.UserName === user;
const iamWrite = (r: AwsRequestInfo) => r.service === 'iam' && isMutatingOperation(r.operation);
/** The actions of a run that did not end done or already done, from its `-o json` result. */
function unfinished(result: CliResult): string {
  try {
    const { execution } = result.json<{ execution?: { actions?: { id: string; status: string; reason: string | null }[] } }>();
    const open = (execution?.actions ?? []).filter((a) => a.status !== 'done' && a.status !== 'skipped');
    return open.map((a) => `${a.id}: ${a.status}${a.reason ? ` (${a.reason})` : ''}`).join('; ') || 'none';
  } catch {
    return 'stdout is not one JSON document';
  }
}

const describeEntry = (e: ProxyLogEntry) => `${e.operation}(${e.params.UserName ?? e.params.SerialNumber ?? ''})${e.fault ? `:${e.fault}` : ''}`;

/** Every run of these tests talks to the fault proxy; only the set-up phases talk to moto directly. */
describe.skipIf(endpoint === null)('disable, enable, cleanup and restore through a faulty network', () => {
  const motoEndpoint = endpoint ?? '';
  let clients: EmulatorClients;
  let workspace: string;
  let proxy: FaultProxy;
  useEmulatorSandbox(motoEndpoint, (sandbox) => {
    ({ clients, workspace } = sandbox);
  });
  beforeEach(async () => {
    proxy = await startFaultProxy({ upstream: motoEndpoint, seed: SEED });
  });
  afterEach(async () => {
    await proxy.close();
  });

  const direct = (args: string[]) => runCli([...args, '-w', workspace, '-o', 'json'], { endpoint: motoEndpoint, timeoutMs: RUN_TIMEOUT_MS });
  const faulty = (args: string[]) => runCli([...args, '-w', workspace, '-o', 'json'], { endpoint: proxy.endpoint, timeoutMs: RUN_TIMEOUT_MS });
  const faultsSoFar = () => proxy.log().filter((e) => e.fault !== null).map(describeEntry).join(', ') || 'none';
  const access = async () => readAccessOf(clients.iam, PEOPLE) as Promise<Map<string, UserAccess>>;

  async function ready(steps: ('disable' | 'cleanup')[] = []): Promise<FaultAccount> {
    const account = await seedFaultAccount(clients);
    await prepareForDisable(direct);
    for (const step of steps) {
      const args = step === 'disable' ? ['disable'] : ['cleanup', '--min-disabled-days', '0'];
      const run = await direct([...args, '--yes', '--confirm-account', account.accountId]);
      expect(run.code, `${step}: ${run.stderr}`).toBe(0);
    }
    return account;
  }

  /** Runs until exit 0, at most MAX_RUNS times, checking after every run that AWS and the workspace agree. */
  async function untilDone(label: string, args: string[], agree: (done: boolean) => Promise<void>): Promise<CliResult> {
    for (let run = 1; ; run += 1) {
      const result = await faulty(args);
      const context = `${label}, run ${run}: exit ${result.code}; unfinished: ${unfinished(result)}; faults so far: ${faultsSoFar()}\n${result.stderr.slice(-3_000)}`;
      expect([0, 1], context).toContain(result.code);
      await agree(result.code === 0);
      if (result.code === 0) return result;
      if (run === MAX_RUNS) throw new Error(`${label} did not finish in ${MAX_RUNS} runs.\n${context}`);
    }
  }

  /** After a success, the same command again, without faults: moto must receive no change at all. */
  async function expectNoOpRerun(label: string, args: string[]): Promise<void> {
    proxy.setRules([]);
    proxy.clearLog();
    const again = await faulty(args);
    expect(again.code, `${label} again: unfinished: ${unfinished(again)}\n${again.stderr.slice(-3_000)}`).toBe(0);
    expect(proxy.forwardedMutations('iam').map(describeEntry), `${label} again: a re-run after success changes nothing`).toEqual([]);
  }

  const disableAgrees = (before: Map<string, UserAccess>) => async (done: boolean) => {
    const now = await access();
    for (const user of PEOPLE) expectDisableAgrees(user, before.get(user)!, now.get(user)!, await readDisableRecordFile(workspace, user), done);
  };
  const enableAgrees = (beforeDisable: Map<string, UserAccess>) => async (done: boolean) => {
    const now = await access();
    for (const user of PEOPLE) expectEnableAgrees(user, beforeDisable.get(user)!, now.get(user)!, await readDisableRecordFile(workspace, user), done);
  };
  const cleanupAgrees = (before: Map<string, UserAccess>, users = PEOPLE) => async (done: boolean) => {
    const now = await readAccessOf(clients.iam, users);
    const [state, devices] = [await readStateFile(workspace), await virtualMfaSerials(clients.iam)];
    for (const user of users) {
      const was = before.get(user)!;
      expectCleanupAgrees(user, was, now.get(user) ?? null, await readUserBackupFile(workspace, user, was.userId), state, devices, done);
    }
  };
  /** `formerIds`: the UserId each deleted user had, which names its backup. */
  const restoreAgrees = (formerIds: ReadonlyMap<string, string>) => async (done: boolean) => {
    const users = [...formerIds.keys()];
    const now = await readAccessOf(clients.iam, users);
    const state = await readStateFile(workspace);
    for (const user of users) {
      const backup = await readUserBackupFile(workspace, user, formerIds.get(user)!);
      expect(backup, `${user}: its backup`).not.toBeNull();
      expectRestoreAgrees(user, backup!, now.get(user) ?? null, await usersNamed(clients.iam, user), state, done);
    }
  };

  it('disable: a PutUserPolicy applied but unanswered, then throttled until the SDK gives up, ends recorded as done, and enable undoes exactly it', async () => {
    const { accountId } = await ready();
    const before = await access();
    const ann = { operation: 'PutUserPolicy', when: about('ann.lee') };
    // Every attempt the SDK has left (8 in all) fails, the last one throttled: it gives up with Throttling.
    // Three are 500s, not throttles, only to keep the SDK's backoff (1 s base for throttling, doubling) short.
    const storm: FaultRule['fault'][] = ['drop-after-apply', 'throttle', 'throttle', 'throttle', 'error500', 'error500', 'error500', 'throttle'];
    proxy.setRules(storm.map((fault) => ({ ...ann, fault, times: 1 })));
    const disable = ['disable', '--yes', '--confirm-account', accountId];
    await untilDone('disable', disable, disableAgrees(before));
    expect(proxy.log().filter((e) => e.operation === 'PutUserPolicy' && e.params.UserName === 'ann.lee').slice(0, 8).map((e) => e.fault), 'the SDK met the whole storm').toEqual(storm);
    await expectNoOpRerun('disable', disable);

    await untilDone('enable', ['enable', '--yes'], enableAgrees(before));
    await expectNoOpRerun('enable', ['enable', '--yes']);
  });

  it('the whole retirement, disable → enable → disable → cleanup → restore, through seeded throttling, 500s, resets and lost answers', { timeout: 170_000 }, async () => {
    const { accountId } = await ready();
    const original = await access();
    const fired = new Set<string>();
    // About one IAM change in five throttled, and a few 500s, resets and lost answers in every phase.
    const noise: FaultRule[] = [
      { fault: 'throttle', when: iamWrite, probability: 0.2 },
      { fault: 'drop-after-apply', when: iamWrite, probability: 0.08, times: 2 },
      { fault: 'reset', when: iamWrite, probability: 0.08, times: 2 },
      { fault: 'error500', when: iamWrite, probability: 0.08, times: 2 },
    ];
    const phase = async (label: string, args: string[], lostAnswer: string, agree: (done: boolean) => Promise<void>) => {
      // Each phase also loses the answer of its first call of one kind whose retry is not a plain repeat.
      proxy.setRules([{ fault: 'drop-after-apply', operation: lostAnswer, times: 1 }, ...noise]);
      proxy.clearLog();
      await untilDone(label, args, agree);
      for (const entry of proxy.log()) if (entry.fault) fired.add(entry.fault);
      await expectNoOpRerun(label, args);
    };
    const disable = ['disable', '--yes', '--confirm-account', accountId];

    await phase('disable', disable, 'PutUserPolicy', disableAgrees(original));
    const disabled = await access();
    await phase('enable', ['enable', '--yes'], 'DeleteUserPolicy', enableAgrees(original));
    await phase('disable again', disable, 'UpdateAccessKey', disableAgrees(original));
    expect(await access(), 'the second disable switches off exactly what the first did').toEqual(disabled);
    for (const user of PEOPLE) expect((await readDisableRecordFile(workspace, user))?.history, `${user}: the first episode is kept`).toHaveLength(1);
    await phase('cleanup', ['cleanup', '--min-disabled-days', '0', '--yes', '--confirm-account', accountId], 'DeleteAccessKey', cleanupAgrees(disabled));
    await phase('restore', ['restore', '--all', '--yes'], 'CreateUser', restoreAgrees(new Map(PEOPLE.map((u) => [u, disabled.get(u)!.userId]))));
    expect([...fired].sort(), 'every kind of fault met a run').toEqual(['drop-after-apply', 'error500', 'reset', 'throttle']);
  });

  it('cleanup: the lost answers of a DeleteAccessKey and a DeactivateMFADevice leave the user deleted, backed up, with no MFA device left', async () => {
    const { accountId } = await ready(['disable']);
    const before = await access();
    proxy.setRules([
      { fault: 'drop-after-apply', operation: 'DeleteAccessKey', when: about('ann.lee'), times: 1 },
      { fault: 'drop-after-apply', operation: 'DeactivateMFADevice', when: about('ann.lee'), times: 1 },
    ]);
    const cleanup = ['cleanup', '--min-disabled-days', '0', '--yes', '--confirm-account', accountId];
    await untilDone('cleanup', cleanup, cleanupAgrees(before));
    expect(proxy.log().filter((e) => e.fault !== null).map(describeEntry)).toEqual(['DeleteAccessKey(ann.lee):drop-after-apply', 'DeactivateMFADevice(ann.lee):drop-after-apply']);
    await expectNoOpRerun('cleanup', cleanup);
  });

  it('cleanup: a DeactivateMFADevice applied but unanswered, whose retries all fail, still ends with the virtual MFA device deleted', async () => {
    const { accountId } = await ready(['disable']);
    const before = await access();
    proxy.setRules([
      { fault: 'drop-after-apply', operation: 'DeactivateMFADevice', when: about('ben.ortiz'), times: 1 },
      // The SDK's every retry gets a 500: the run stops after the deactivation, before the device is deleted.
      { fault: 'error500', operation: 'DeactivateMFADevice', when: about('ben.ortiz'), times: 7 },
    ]);
    const cleanup = ['cleanup', '--min-disabled-days', '0', '--yes', '--confirm-account', accountId];
    await untilDone('cleanup', cleanup, cleanupAgrees(before));
    await expectNoOpRerun('cleanup', cleanup);
  });

  it('restore: a CreateUser applied but unanswered makes no second user, and the run finishes the user', async () => {
    const { users } = await ready(['disable', 'cleanup']);
    const formerIds = new Map([['ben.ortiz', users.find((u) => u.name === 'ben.ortiz')!.userId]]);
    proxy.setRules([{ fault: 'drop-after-apply', operation: 'CreateUser', when: about('ben.ortiz'), times: 1 }]);
    const restore = ['restore', '--user', 'ben.ortiz', '--yes'];
    const run = await faulty(restore);
    // The SDK's retry of the applied CreateUser was refused: the user already existed.
    expect(proxy.forwardedMutations().filter((e) => e.operation === 'CreateUser').map((e) => e.upstreamError)).toEqual([null, 'EntityAlreadyExists']);
    await restoreAgrees(formerIds)(false);
    expect(run.code, `restore after a lost CreateUser answer: unfinished: ${unfinished(run)}\n${run.stderr.slice(-3_000)}`).toBe(0);
    await restoreAgrees(formerIds)(true);
    await expectNoOpRerun('restore', restore);
  });
});
