/**
 * Running the CLI through the fault proxy as an operator would: again after a run that stopped
 * half-way, checking after every run that AWS and the workspace agree, and once more after success
 * to prove that nothing is left to change.
 */
import { expect } from 'vitest';
import type { EmulatorClients } from './aws-clients.js';
import { expectCleanupAgrees, expectDisableAgrees, expectEnableAgrees, expectRestoreAgrees } from './fault-agreement.js';
import { isMutatingOperation, type AwsRequestInfo, type FaultProxy, type ProxyLogEntry } from './fault-proxy.js';
import { readAccessOf, readRetiredUser, readUserBackupFile, usersNamed, virtualMfaSerials, type UserAccess } from './fault-state.js';
import { runCli, type CliResult } from './run-cli.js';

/** A run that stops half-way (exit 1) is run again, as an operator would, this many times in all. */
export const MAX_RUNS = 3;
const RUN_TIMEOUT_MS = 150_000;

/** Requests about one IAM user. */
export const about = (user: string) => (r: AwsRequestInfo) => r.params.UserName === user;
/** Requests that change IAM. */
export const iamWrite = (r: AwsRequestInfo) => r.service === 'iam' && isMutatingOperation(r.operation);
export const describeEntry = (e: ProxyLogEntry) => `${e.operation}(${e.params.UserName ?? e.params.SerialNumber ?? ''})${e.fault ? `:${e.fault}` : ''}`;

/** The actions of a run that did not end done or already done, from its `-o json` result. */
export function unfinished(result: CliResult): string {
  try {
    const { execution } = result.json<{ execution?: { actions?: { id: string; status: string; reason: string | null }[] } }>();
    const open = (execution?.actions ?? []).filter((a) => a.status !== 'done' && a.status !== 'skipped');
    return open.map((a) => `${a.id}: ${a.status}${a.reason ? ` (${a.reason})` : ''}`).join('; ') || 'none';
  } catch {
    return 'stdout is not one JSON document';
  }
}

/** What the helpers act on; getters, since a test's sandbox and proxy are made per test. */
export interface FaultRunTarget {
  motoEndpoint: string;
  clients: () => EmulatorClients;
  workspace: () => string;
  proxy: () => FaultProxy;
}

export function faultRuns(target: FaultRunTarget) {
  const run = (endpoint: string, args: string[]) => runCli([...args, '-w', target.workspace(), '-o', 'json'], { endpoint, timeoutMs: RUN_TIMEOUT_MS });
  /** Straight to moto: the set-up phases. */
  const direct = (args: string[]) => run(target.motoEndpoint, args);
  /** Through the fault proxy: the runs under test. */
  const faulty = (args: string[]) => run(target.proxy().endpoint, args);
  const faultsSoFar = () => target.proxy().log().filter((e) => e.fault !== null).map(describeEntry).join(', ') || 'none';
  const iam = () => target.clients().iam;

  /** Runs until exit 0, at most MAX_RUNS times, checking after every run that AWS and the workspace agree. */
  async function untilDone(label: string, args: string[], agree: (done: boolean) => Promise<void>): Promise<CliResult> {
    for (let attempt = 1; ; attempt += 1) {
      const result = await faulty(args);
      const context = `${label}, run ${attempt}: exit ${result.code}; unfinished: ${unfinished(result)}; faults so far: ${faultsSoFar()}\n${result.stderr.slice(-3_000)}`;
      expect([0, 1], context).toContain(result.code);
      await agree(result.code === 0);
      if (result.code === 0) return result;
      if (attempt === MAX_RUNS) throw new Error(`${label} did not finish in ${MAX_RUNS} runs.\n${context}`);
    }
  }

  /** After a success, the same command again without faults: moto must receive no change at all. */
  async function expectNoOpRerun(label: string, args: string[]): Promise<void> {
    target.proxy().setRules([]);
    target.proxy().clearLog();
    const again = await faulty(args);
    expect(again.code, `${label} again: unfinished: ${unfinished(again)}\n${again.stderr.slice(-3_000)}`).toBe(0);
    expect(target.proxy().forwardedMutations('iam').map(describeEntry), `${label} again: a re-run after success changes nothing`).toEqual([]);
  }

  const accessOf = async (users: readonly string[]) => (await readAccessOf(iam(), users)) as Map<string, UserAccess>;

  const disableAgrees = (before: ReadonlyMap<string, UserAccess>) => async (done: boolean) => {
    const now = await accessOf([...before.keys()]);
    for (const [user, was] of before) expectDisableAgrees(user, was, now.get(user)!, await readRetiredUser(target.workspace(), user), done);
  };
  const enableAgrees = (beforeDisable: ReadonlyMap<string, UserAccess>) => async (done: boolean) => {
    const now = await accessOf([...beforeDisable.keys()]);
    for (const [user, was] of beforeDisable) expectEnableAgrees(user, was, now.get(user)!, await readRetiredUser(target.workspace(), user), done);
  };
  const cleanupAgrees = (before: ReadonlyMap<string, UserAccess>) => async (done: boolean) => {
    const now = await readAccessOf(iam(), [...before.keys()]);
    const devices = await virtualMfaSerials(iam());
    for (const [user, was] of before) {
      expectCleanupAgrees(user, was, now.get(user) ?? null, await readUserBackupFile(target.workspace(), user, was.userId), await readRetiredUser(target.workspace(), user), devices, done);
    }
  };
  /** `formerIds`: the UserId each deleted user had, which names its backup. */
  const restoreAgrees = (formerIds: ReadonlyMap<string, string>) => async (done: boolean) => {
    const now = await readAccessOf(iam(), [...formerIds.keys()]);
    for (const [user, formerId] of formerIds) {
      const backup = await readUserBackupFile(target.workspace(), user, formerId);
      expect(backup, `${user}: its backup`).not.toBeNull();
      expectRestoreAgrees(user, backup!, now.get(user) ?? null, await usersNamed(iam(), user), await readRetiredUser(target.workspace(), user), done);
    }
  };

  return { direct, faulty, untilDone, expectNoOpRerun, accessOf, disableAgrees, enableAgrees, cleanupAgrees, restoreAgrees };
}
