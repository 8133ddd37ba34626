import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CreateRoleCommand } from '@aws-sdk/client-iam';
import { describe, expect, inject, it } from 'vitest';
import YAML from 'yaml';
import type { AuditSnapshot } from '../../src/model/inventory.js';
import type { GeneratePoliciesResult } from '../../src/phases/generate-policies/generate-policies.js';
import type { PolicySetResult } from '../../src/phases/generate-policies/policy-set-result.js';
import { normalisePermissionSetName } from '../../src/workspace/mapping-schema.js';
import type { WorkspaceState } from '../../src/workspace/workspace-state.js';
import type { EmulatorClients } from './support/aws-clients.js';
import { startCountingServer, workspaceModes } from './support/e2e-helpers.js';
import { useEmulatorSandbox } from './support/sandbox.js';
import type { RunCliOptions } from './support/run-cli.js';
import { runCli } from './support/run-cli.js';
import type { SeededSandbox } from './support/seed-account.js';
import { seedSandboxAccount } from './support/seed-account.js';
import {
  createEmulatorTrail,
  editMapping,
  effectActions,
  readWorkspaceJson,
  readWorkspaceText,
  workspaceContents,
  yamlComments,
} from './support/workspace-files.js';

interface MappingYaml {
  permissionSets: Record<string, { managedPolicies: string[]; customerManagedPolicies: { name: string; path: string }[]; inlinePolicyFile?: string; source?: { group?: string; user?: string } }>;
}

interface ErrorResult {
  error: { code: string; message: string; resolution: string };
}

const endpoint = inject('motoEndpoint');
const AWS_MANAGED = /^arn:aws:iam::aws:policy\//;
const VIEW_ONLY = 'arn:aws:iam::aws:policy/job-function/ViewOnlyAccess';
const sorted = <T>(values: Iterable<T>): T[] => [...values].sort();
const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
const withFile = (sets: PolicySetResult[]) => sets.filter((s) => s.inlinePolicyFile !== null);
/** Warnings on stderr (one marked line each), whatever their wording. */
const warnings = (stderr: string) => stderr.split('\n').filter((line) => line.startsWith('⚠')).length;

describe.skipIf(endpoint === null)('generate-policies against the emulator', () => {
  const motoEndpoint = endpoint ?? '';
  let clients: EmulatorClients;
  let workspace: string;
  const cli = (args: string[], options: Partial<RunCliOptions> = {}) => runCli(args, { endpoint: motoEndpoint, ...options });
  const generate = (extra: string[] = [], options: Partial<RunCliOptions> = {}) => cli(['generate-policies', '-w', workspace, '-o', 'json', ...extra], options);
  const audit = async (): Promise<void> => {
    const run = await cli(['audit', '-w', workspace, '-o', 'json']);
    expect(run.code, run.stderr).toBe(0);
  };

  useEmulatorSandbox(motoEndpoint, (sandbox) => {
    ({ clients, workspace } = sandbox);
  });

  it('writes each sourced permission set, references the managed policies, and keeps the draft comments', async () => {
    const seeded = await seedSandboxAccount(clients);
    await audit();
    const draftText = await readWorkspaceText(workspace, 'mapping.yaml');
    const draft = YAML.parse(draftText) as MappingYaml;

    const run = await generate([], { umask: 0o000 });
    expect(run.code, run.stderr).toBe(0);
    const result = run.json<GeneratePoliciesResult>();
    // moto has no Access Analyzer: the local checks stand in, and the run says so.
    expect(result.validationSkip?.code).toBe('ACCESS_ANALYZER_UNREACHABLE');
    expect(warnings(run.stderr)).toBeGreaterThan(0);
    expect(result.activity).toBeNull();

    // A set whose people differ in the Denies or boundary it must carry is split (kim.boundary has a boundary).
    const sourced = Object.entries(draft.permissionSets).filter(([, ps]) => ps.source).map(([name]) => name);
    expect(sorted(result.sets.map((s) => s.name))).toEqual(sorted([...sourced, ...result.splits.map((s) => s.to)]));
    expect(result.splits.map((s) => s.members)).toContainEqual(['kim.boundary']);
    const originOf = (name: string) => result.splits.find((s) => s.to === name)?.from ?? name;
    for (const set of result.sets) expect(set.validation.byAccessAnalyzer, set.name).toBe(false);

    const snapshot = await readWorkspaceJson<AuditSnapshot>(workspace, 'audit.json');
    for (const set of result.sets) await expectSetMatchesSource(workspace, set, seeded, snapshot);
    for (const group of seeded.groups.filter((g) => g.inlinePolicyNames.length > 0)) {
      const set = result.sets.find((s) => s.source.kind === 'group' && s.source.name === group.name);
      expect(set?.inlinePolicyFile, `policy file of group ${group.name}`).toBeTruthy();
      expect(set?.file).toBe('written');
    }
    expect(result.sets.find((s) => s.source.name === 'ReadOnly')?.managedPolicies).toContain(VIEW_ONLY);
    expect(result.sets.find((s) => s.source.name === 'oscar.analyst')?.managedPolicies).toContain(VIEW_ONLY);
    expect(sorted(result.files)).toEqual(sorted(withFile(result.sets).map((s) => join(workspace, s.inlinePolicyFile!))));

    const mappingText = await readWorkspaceText(workspace, 'mapping.yaml');
    const mapping = YAML.parse(mappingText) as MappingYaml;
    for (const set of result.sets) {
      const entry = mapping.permissionSets[set.name];
      expect(entry?.managedPolicies, set.name).toEqual(set.managedPolicies);
      expect(entry?.customerManagedPolicies, set.name).toEqual(set.customerManagedPolicies);
      expect(entry?.inlinePolicyFile, set.name).toBe(set.inlinePolicyFile ?? undefined);
      expect(entry?.source, set.name).toEqual(draft.permissionSets[originOf(set.name)]?.source);
    }
    const comments = new Set(yamlComments(mappingText));
    for (const comment of yamlComments(draftText)) expect(comments.has(comment), `comment kept: ${comment}`).toBe(true);

    expect(result.reportPath).toBe(join(workspace, 'reports/policies.md'));
    expect((await readWorkspaceText(workspace, 'reports/policies.md')).length).toBeGreaterThan(0);
    const state = await readWorkspaceJson<WorkspaceState>(workspace, 'workspace.json');
    expect(sorted(Object.keys(state.phases.policies?.sets ?? {}))).toEqual(sorted(result.sets.map((s) => s.name)));

    const modes = await workspaceModes(workspace);
    for (const [path, mode] of Object.entries(modes.directories)) expect(mode, `mode of ${path}/`).toBe(0o700);
    for (const [path, mode] of Object.entries(modes.files)) expect(mode, `mode of ${path}`).toBe(0o600);
    expect(Object.keys(modes.files)).toEqual(expect.arrayContaining(['reports/policies.md', ...withFile(result.sets).map((s) => s.inlinePolicyFile!)]));
  });

  it('leaves identical files on a re-run, and keeps a hand-edited policy file until --regenerate', async () => {
    await seedSandboxAccount(clients);
    await audit();
    const first = await generate();
    expect(first.code, first.stderr).toBe(0);
    const before = await workspaceContents(workspace);

    const second = await generate();
    expect(second.code, second.stderr).toBe(0);
    const sets = second.json<GeneratePoliciesResult>().sets;
    expect(withFile(sets).length).toBeGreaterThan(0);
    for (const set of withFile(sets)) expect(set.file, set.name).toBe('unchanged');
    const after = await workspaceContents(workspace);
    // Only the run's timestamps may differ.
    for (const file of Object.keys(before).filter((f) => f !== 'workspace.json' && f !== 'reports/policies.md')) {
      expect(after[file], file).toBe(before[file]);
    }

    const developers = withFile(sets).find((s) => s.source.name === 'Developers')!;
    const file = developers.inlinePolicyFile!;
    const edited = JSON.parse(before[file]!) as { Statement: unknown[] };
    edited.Statement.push({ Effect: 'Deny', Action: ['ec2:TerminateInstances'], Resource: '*' });
    const editedText = `${JSON.stringify(edited, null, 4)}\n`;
    await writeFile(join(workspace, file), editedText);

    const kept = await generate();
    expect(kept.code, kept.stderr).toBe(0);
    const keptSets = kept.json<GeneratePoliciesResult>().sets;
    expect(keptSets.find((s) => s.name === developers.name)?.file).toBe('kept-operator-edit');
    for (const set of withFile(keptSets).filter((s) => s.name !== developers.name)) expect(set.file, set.name).toBe('unchanged');
    expect(await readWorkspaceText(workspace, file)).toBe(editedText);

    const regenerated = await generate(['--regenerate']);
    expect(regenerated.code, regenerated.stderr).toBe(0);
    expect(regenerated.json<GeneratePoliciesResult>().sets.find((s) => s.name === developers.name)?.file).toBe('written');
    expect(await readWorkspaceText(workspace, file)).toBe(before[file]);
  });

  it('rejects bad input with exit 2 and no AWS request', async () => {
    await seedSandboxAccount(clients);
    await audit();
    const pristine = await readWorkspaceText(workspace, 'mapping.yaml');
    const longName = 'PlatformEngineeringReadOnlyAccessForAll';
    expect(longName.length).toBeGreaterThan(32);
    const cases: Array<{ label: string; args?: string[]; prepare?: () => Promise<void>; code?: string; mentions?: string[] }> = [
      {
        label: 'source group missing from the audit',
        prepare: () => editMapping(workspace, (d) => d.setIn(['permissionSets', 'Developers', 'source', 'group'], 'NoSuchGroup')),
        code: 'POLICY_SOURCE_NOT_FOUND',
        mentions: ['permissionSets.Developers.source'],
      },
      {
        label: 'permission set name over 32 characters',
        prepare: () =>
          editMapping(workspace, (d) => d.setIn(['permissionSets', longName], { managedPolicies: [VIEW_ONLY], customerManagedPolicies: [], source: { group: 'ReadOnly' } })),
        code: 'MAPPING_INVALID',
        mentions: [`permissionSets.${longName}`, normalisePermissionSetName(longName)],
      },
      {
        label: 'policy file that is not JSON',
        prepare: async () => {
          const file = (YAML.parse(pristine) as MappingYaml).permissionSets.Developers!.inlinePolicyFile!;
          await mkdir(dirname(join(workspace, file)), { recursive: true });
          await writeFile(join(workspace, file), '{ "Version": "2012-10-17", "Statement": [');
        },
        code: 'POLICY_FILE_INVALID',
      },
      { label: '--permission-sets Nope', args: ['--permission-sets', 'Nope'], code: 'UNKNOWN_PERMISSION_SET' },
      { label: '--since garbage', args: ['--from-activity', '--since', 'garbage'], code: 'INVALID_TIME' },
    ];
    const counter = await startCountingServer();
    try {
      for (const c of cases) {
        await writeFile(join(workspace, 'mapping.yaml'), pristine);
        await rm(join(workspace, 'policies'), { recursive: true, force: true });
        await c.prepare?.();
        const run = await generate(c.args ?? [], { endpoint: counter.endpoint });
        expect(run.code, `${c.label}: ${run.stderr}`).toBe(2);
        const { error } = run.json<ErrorResult>();
        if (c.code) expect(error.code, c.label).toBe(c.code);
        for (const text of c.mentions ?? []) expect(`${run.stdout}\n${run.stderr}`, c.label).toContain(text);
        expect(counter.requests(), `AWS requests after: ${c.label}`).toBe(0);
      }
    } finally {
      await counter.close();
    }
  });

  it('--from-activity goes on with the group-derived policies when the trail, the access role or Access Analyzer is missing', async () => {
    await seedSandboxAccount(clients);
    await audit();
    const reference = await generate();
    expect(reference.code, reference.stderr).toBe(0);
    const expected = reference.json<GeneratePoliciesResult>().sets;
    const groupDerived = await workspaceContents(workspace);
    const activityIn = () => readWorkspaceText(workspace, 'reports/policies.md');

    // No trail at all.
    const noTrail = await generate(['--from-activity']);
    expect(noTrail.code, noTrail.stderr).toBe(0);
    expect(warnings(noTrail.stderr)).toBeGreaterThan(warnings(reference.stderr));
    const noTrailResult = noTrail.json<GeneratePoliciesResult>();
    expect(noTrailResult.activity).toMatchObject({ analysedUsers: [], trailArn: null });
    expect(noTrailResult.sets.map((s) => [s.name, s.basis, s.inlinePolicyFile])).toEqual(expected.map((s) => [s.name, 'granted', s.inlinePolicyFile]));
    for (const set of withFile(expected)) expect(await readWorkspaceText(workspace, set.inlinePolicyFile!)).toBe(groupDerived[set.inlinePolicyFile!]);
    expect(await activityIn()).toContain('NO_TRAIL');

    // A trail, but no role that Access Analyzer can read it with.
    const trailArn = await createEmulatorTrail(clients, 'iam2idc-e2e-trail');
    const noRole = await generate(['--from-activity']);
    expect(noRole.code, noRole.stderr).toBe(0);
    expect(warnings(noRole.stderr)).toBeGreaterThan(warnings(reference.stderr));
    expect(noRole.json<GeneratePoliciesResult>().activity).toMatchObject({ analysedUsers: [], trailArn: null });
    expect(await activityIn()).toContain('NO_ACCESS_ROLE');
    expect(await activityIn()).not.toContain('NO_TRAIL');

    // Trail and role: policy generation itself is missing from the emulator. Each job is refused and
    // tried at most twice; the run ends (it must not retry forever) with the granted policy.
    await clients.iam.send(
      new CreateRoleCommand({
        RoleName: 'AccessAnalyzerMonitorServiceRole_e2e',
        Path: '/service-role/',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: 'access-analyzer.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        }),
      }),
    );
    await audit();
    const noAnalyzer = await generate(['--from-activity', '--permission-sets', 'Developers', '--users', 'bob.builder'], { timeoutMs: 60_000 });
    expect(noAnalyzer.timedOut).toBe(false);
    expect(noAnalyzer.code, noAnalyzer.stderr).toBe(0);
    expect(warnings(noAnalyzer.stderr)).toBeGreaterThan(warnings(reference.stderr));
    const result = noAnalyzer.json<GeneratePoliciesResult>();
    // The emulator has no Access Analyzer: the run stops at the first start, and the journal keeps the job for a later run.
    expect(result.activity).toMatchObject({ analysedUsers: [], remainingUsers: ['bob.builder'], stop: 'SERVICE_UNAVAILABLE', trailArn });
    expect(result.validationSkip?.code).toBe('ACCESS_ANALYZER_UNREACHABLE');
    expect(result.sets.map((s) => [s.name, s.basis, s.file])).toEqual([['Developers', 'granted', 'unchanged']]);
    const journal = (await readFile(join(workspace, 'journal.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; command?: string; event?: string; actionId?: string; status?: string });
    expect(journal.filter((r) => r.type === 'run' && r.command === 'generate-policies').map((r) => r.event)).toEqual(['start', 'stopped']);
    expect(journal.filter((r) => r.type === 'outcome' && r.actionId === 'generate-policies/bob.builder').map((r) => r.status)).toEqual(['failed']);
  });
});

/** What IAM grants the set's source (as seeded and audited) is what the set carries. */
async function expectSetMatchesSource(workspace: string, set: PolicySetResult, seeded: SeededSandbox, snapshot: AuditSnapshot): Promise<void> {
  const context = `permission set ${set.name}`;
  const principal =
    set.source.kind === 'group'
      ? { arns: seeded.groups.find((g) => g.name === set.source.name)?.managedPolicyArns, audited: snapshot.groups.find((g) => g.name === set.source.name) }
      : { arns: seeded.users.find((u) => u.name === set.source.name)?.managedPolicyArns, audited: snapshot.users.find((u) => u.userName === set.source.name) };
  expect(principal.arns, context).toBeDefined();
  const arns = principal.arns ?? [];
  expect(sorted(set.managedPolicies), context).toEqual(sorted(arns.filter((arn) => AWS_MANAGED.test(arn))));
  // Every target is the audited account, so customer-managed policies are referenced, not inlined.
  const customer = arns.filter((arn) => !AWS_MANAGED.test(arn)).map((arn) => seeded.customerPolicies.find((p) => p.arn === arn)!);
  expect([...set.customerManagedPolicies].sort(byName), context).toEqual(customer.map(({ name, path }) => ({ name, path })).sort(byName));
  expect(set.overflowFiles, context).toEqual([]);
  expect(set.ready, context).toBe(true);

  const inline = principal.audited?.inlinePolicies ?? [];
  if (inline.length === 0 && !set.notes.some((n) => n.code === 'DENY_CARRIED')) {
    expect(set.inlinePolicyFile, context).toBeNull();
    return;
  }
  expect(set.inlinePolicyFile, context).toBe(`policies/${set.name}.json`);
  if (inline.length === 0) return;
  const written = effectActions(await readWorkspaceJson(workspace, set.inlinePolicyFile!));
  for (const policy of inline) {
    for (const action of effectActions(policy.document)) expect(written, `${context}: ${action}`).toContain(action);
  }
}
