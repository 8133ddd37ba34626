import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  AttachManagedPolicyToPermissionSetCommand,
  CreatePermissionSetCommand,
  DetachManagedPolicyFromPermissionSetCommand,
  PutInlinePolicyToPermissionSetCommand,
  UpdatePermissionSetCommand,
} from '@aws-sdk/client-sso-admin';
import { savePlan } from '../../src/plan/plan-file.js';
import type { Plan } from '../../src/plan/plan-types.js';
import { describe, expect, inject, it } from 'vitest';
import YAML from 'yaml';
import type { WorkspaceState } from '../../src/workspace/workspace-state.js';
import type { EmulatorClients } from './support/aws-clients.js';
import { startCountingServer } from './support/e2e-helpers.js';
import { useEmulatorSandbox } from './support/sandbox.js';
import type { CreatePermissionSetsJson, MappingPermissionSets } from './support/permission-sets.js';
import { emulatorInstanceArn, mutatingRequests, readEmulatorPermissionSets, ssoAdminRequests } from './support/permission-sets.js';
import type { RunCliOptions } from './support/run-cli.js';
import { runCli } from './support/run-cli.js';
import { seedSandboxAccount } from './support/seed-account.js';
import { editMapping, readWorkspaceJson, readWorkspaceText } from './support/workspace-files.js';

interface ErrorJson {
  error: { code: string; message: string; resolution: string };
}

const endpoint = inject('motoEndpoint');
/** Generous limits for a 2-core machine running the emulator and several CLI runs per test. */
const RUN_TIMEOUT_MS = 120_000;
const SLOW_TEST_MS = 300_000;
const POLICY = 'arn:aws:iam::aws:policy';
const VIEW_ONLY = `${POLICY}/job-function/ViewOnlyAccess`;
const sorted = <T>(values: Iterable<T>): T[] => [...values].sort();
/** The set an action acts on: action ids are `ps/<Set>/<verb>[/<detail>]`. */
const setOf = (action: { id: string }) => action.id.split('/')[1];
const kindsBySet = (actions: { id: string; kind: string }[]) => sorted(actions.map((a) => `${setOf(a)} ${a.kind}`));

describe.skipIf(endpoint === null)('create-permission-sets after Identity Center changed', () => {
  const motoEndpoint = endpoint ?? '';
  let clients: EmulatorClients;
  let scratch: string;
  let workspace: string;
  let instanceArn: string;
  const cli = (args: string[], options: Partial<RunCliOptions> = {}) => runCli(args, { endpoint: motoEndpoint, timeoutMs: RUN_TIMEOUT_MS, ...options });
  const createSets = (extra: string[] = [], options: Partial<RunCliOptions> = {}) => cli(['create-permission-sets', '-w', workspace, '-o', 'json', ...extra], options);
  const readMapping = async () => YAML.parse(await readWorkspaceText(workspace, 'mapping.yaml')) as MappingPermissionSets;
  const emulatorSets = () => readEmulatorPermissionSets(clients.ssoAdmin, instanceArn);
  const ps = (arn: string) => ({ InstanceArn: instanceArn, PermissionSetArn: arn });
  /** A seeded sandbox, audited, its policies generated and its permission sets created. */
  const prepareApplied = async (): Promise<CreatePermissionSetsJson> => {
    await seedSandboxAccount(clients);
    for (const command of ['audit', 'generate-policies']) {
      const run = await cli([command, '-w', workspace, '-o', 'json']);
      expect(run.code, `${command}: ${run.stderr}`).toBe(0);
    }
    const applied = await createSets(['--yes']);
    expect(applied.code, applied.stderr).toBe(0);
    instanceArn = await emulatorInstanceArn(clients.ssoAdmin);
    return applied.json<CreatePermissionSetsJson>();
  };

  useEmulatorSandbox(motoEndpoint, (sandbox) => {
    ({ clients, scratch, workspace } = sandbox);
  });

  it('plans exactly the drift, restores it, and never touches a set the mapping does not name', async () => {
    await prepareApplied();
    const applied = await emulatorSets();
    const mapping = await readMapping();
    const names = sorted(Object.keys(mapping.permissionSets));
    const viewer = names.find((n) => mapping.permissionSets[n]!.managedPolicies.includes(VIEW_ONLY) && !mapping.permissionSets[n]!.managedPolicies.includes(`${POLICY}/AdministratorAccess`))!;
    const other = names.find((n) => n !== viewer)!;
    expect(viewer).toBeDefined();

    // Someone edits two sets in the console, and makes one of their own.
    await clients.ssoAdmin.send(new DetachManagedPolicyFromPermissionSetCommand({ ...ps(applied.get(viewer)!.arn), ManagedPolicyArn: VIEW_ONLY }));
    await clients.ssoAdmin.send(new AttachManagedPolicyToPermissionSetCommand({ ...ps(applied.get(viewer)!.arn), ManagedPolicyArn: `${POLICY}/AdministratorAccess` }));
    await clients.ssoAdmin.send(new UpdatePermissionSetCommand({ ...ps(applied.get(other)!.arn), SessionDuration: 'PT2H', Description: applied.get(other)!.description ?? undefined }));
    const made = await clients.ssoAdmin.send(new CreatePermissionSetCommand({ InstanceArn: instanceArn, Name: 'NotInTheMapping', SessionDuration: 'PT1H', Description: 'made by hand' }));
    const foreignArn = made.PermissionSet!.PermissionSetArn!;
    await clients.ssoAdmin.send(new AttachManagedPolicyToPermissionSetCommand({ ...ps(foreignArn), ManagedPolicyArn: `${POLICY}/ReadOnlyAccess` }));
    const inline = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' }] };
    await clients.ssoAdmin.send(new PutInlinePolicyToPermissionSetCommand({ ...ps(foreignArn), InlinePolicy: JSON.stringify(inline) }));
    const drifted = await emulatorSets();
    expect(drifted.get(other)!.sessionSeconds).toBe(2 * 3600);

    const dry = await createSets(['--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    const planned = dry.json<CreatePermissionSetsJson>().execution.actions;
    expect(kindsBySet(planned)).toEqual(sorted([`${viewer} sso.AttachManagedPolicy`, `${viewer} sso.DetachManagedPolicy`, `${other} sso.UpdatePermissionSet`]));

    const apply = await createSets(['--yes', '--debug']);
    expect(apply.code, apply.stderr).toBe(0);
    const result = apply.json<CreatePermissionSetsJson>();
    expect(result.execution.actions.map((a) => [a.id, a.status])).toEqual(planned.map((a) => [a.id, 'done']));
    const restored = await emulatorSets();
    for (const name of names) expect(restored.get(name), name).toEqual(applied.get(name));
    expect(restored.get('NotInTheMapping')).toEqual(drifted.get('NotInTheMapping'));
    // The other set was described to learn its name, and nothing more.
    const onForeign = ssoAdminRequests(apply.stderr).filter((r) => JSON.stringify(r.input).includes(foreignArn));
    expect(new Set(onForeign.map((r) => r.operation))).toEqual(new Set(['DescribePermissionSet']));
    expect(mutatingRequests(apply.stderr).length).toBe(planned.length);
    expect(Object.keys(result.arns)).not.toContain('NotInTheMapping');
    const state = await readWorkspaceJson<WorkspaceState>(workspace, 'workspace.json');
    expect(Object.values(state.phases.permissionSets?.arns ?? {})).not.toContain(foreignArn);

    const settled = await createSets(['--yes', '--debug']);
    expect(settled.code, settled.stderr).toBe(0);
    expect(settled.json<CreatePermissionSetsJson>().execution.actions).toEqual([]);
    expect(mutatingRequests(settled.stderr)).toEqual([]);
  }, SLOW_TEST_MS);

  it('applies a saved plan, refusing the actions on a set that changed since it was made', async () => {
    await prepareApplied();
    const [kept, changed] = sorted(Object.keys((await readMapping()).permissionSets));
    await editMapping(workspace, (d) => {
      for (const name of [kept!, changed!]) d.setIn(['permissionSets', name, 'sessionDuration'], 'PT4H');
    });
    const planFile = join(scratch, 'p.json');
    const dry = await createSets(['--dry-run', '--save-plan', planFile]);
    expect(dry.code, dry.stderr).toBe(0);
    const saved = dry.json<CreatePermissionSetsJson>();
    expect(saved.planFile).toBe(planFile);
    expect((await stat(planFile)).mode & 0o777).toBe(0o600);
    expect(sorted(new Set(saved.execution.actions.map(setOf)))).toEqual(sorted([kept, changed]));
    const before = await emulatorSets();
    expect(before.get(kept!)!.sessionSeconds).toBe(8 * 3600);

    // The set changes in Identity Center after the plan was made.
    await clients.ssoAdmin.send(new AttachManagedPolicyToPermissionSetCommand({ ...ps(before.get(changed!)!.arn), ManagedPolicyArn: `${POLICY}/SecurityAudit` }));
    const run = await createSets(['--plan', planFile, '--yes']);
    expect(run.code, run.stderr).toBe(3);
    const { execution } = run.json<CreatePermissionSetsJson>();
    const onChanged = execution.actions.filter((a) => setOf(a) === changed);
    const onKept = execution.actions.filter((a) => setOf(a) === kept);
    expect(onChanged.length).toBeGreaterThan(0);
    expect(onChanged.map((a) => a.status)).toEqual(onChanged.map(() => 'refused'));
    expect(onKept.map((a) => a.status)).toEqual(onKept.map(() => 'done'));
    expect(execution.counts).toMatchObject({ refused: onChanged.length, done: onKept.length, failed: 0 });
    const after = await emulatorSets();
    expect(after.get(kept!)!.sessionSeconds).toBe(4 * 3600);
    expect(after.get(changed!)!.sessionSeconds).toBe(8 * 3600);

    // Planning afresh takes the change into account and completes the rest.
    const fresh = await createSets(['--yes']);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect((await emulatorSets()).get(changed!)).toMatchObject({ sessionSeconds: 4 * 3600, managedPolicies: before.get(changed!)!.managedPolicies });
  }, SLOW_TEST_MS);

  it('refuses a plan file that is not a plan of this command with exit 2 before any AWS request, and one of another account with exit 3', async () => {
    await prepareApplied();
    await editMapping(workspace, (d) => d.setIn(['permissionSets', sorted(Object.keys(d.toJS().permissionSets as object))[0]!, 'sessionDuration'], 'PT4H'));
    const planFile = join(scratch, 'p.json');
    const dry = await createSets(['--dry-run', '--save-plan', planFile]);
    expect(dry.code, dry.stderr).toBe(0);
    const text = await readFile(planFile, 'utf8');
    const plan = JSON.parse(text) as { command: string; accountId: string; actions: unknown[] };
    expect(plan.actions.length).toBeGreaterThan(0);

    const bad = join(scratch, 'bad.json');
    const cases: Array<{ label: string; content: string | null; code: string }> = [
      { label: 'truncated', content: text.slice(0, text.length / 2), code: 'PLAN_FILE_INVALID' },
      { label: 'not a plan', content: JSON.stringify({ version: 1, actions: 'none' }), code: 'PLAN_FILE_INVALID' },
      { label: 'another command', content: JSON.stringify({ ...plan, command: 'generate-policies' }), code: 'PLAN_WRONG_COMMAND' },
      { label: 'missing', content: null, code: 'PLAN_FILE_INVALID' },
    ];
    const counter = await startCountingServer();
    try {
      for (const c of cases) {
        await rm(bad, { force: true });
        if (c.content !== null) await writeFile(bad, c.content);
        const run = await createSets(['--plan', bad, '--yes'], { endpoint: counter.endpoint });
        expect(run.code, `${c.label}: ${run.stderr}`).toBe(2);
        expect(run.json<ErrorJson>().error.code, c.label).toBe(c.code);
        expect(counter.requests(), `AWS requests after: ${c.label}`).toBe(0);
      }
    } finally {
      await counter.close();
    }

    const before = await emulatorSets();
    // Saved (with its digest) for another account: a plan made there, not an edited one.
    const { digest: _digest, ...content } = JSON.parse(text) as Plan & { digest: string };
    await savePlan(bad, { ...content, accountId: '111111111111' });
    const foreign = await createSets(['--plan', bad, '--yes']);
    expect(foreign.code, foreign.stderr).toBe(3);
    expect(foreign.json<ErrorJson>().error.code).toBe('PLAN_WRONG_ACCOUNT');
    expect(await emulatorSets()).toEqual(before);
  }, SLOW_TEST_MS);
});
