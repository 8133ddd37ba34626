import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import YAML from 'yaml';
import type { IntentRecord, JournalRecord, OutcomeRecord } from '../../src/plan/journal.js';
import { sessionDurationSeconds } from '../../src/workspace/mapping-schema.js';
import type { WorkspaceState } from '../../src/workspace/workspace-state.js';
import type { AccessKey, EmulatorClients } from './support/aws-clients.js';
import { startCountingServer } from './support/e2e-helpers.js';
import { useEmulatorSandbox } from './support/sandbox.js';
import type { CreatePermissionSetsJson, MappingPermissionSets } from './support/permission-sets.js';
import { byKey, countBy, emulatorInstanceArn, mutatingRequests, OPERATION_OF_KIND, readEmulatorPermissionSets, ssoAdminRequests } from './support/permission-sets.js';
import type { RunCliOptions } from './support/run-cli.js';
import { buildCliEnv, CLI_BIN, REPO_ROOT, runCli } from './support/run-cli.js';
import { seedSandboxAccount } from './support/seed-account.js';
import { editMapping, readWorkspaceJson, readWorkspaceText, workspaceContents } from './support/workspace-files.js';

interface ErrorJson {
  error: { code: string; message: string; resolution: string };
}

const endpoint = inject('motoEndpoint');
/** Generous limits for a 2-core machine running the emulator and several CLI runs per test. */
const RUN_TIMEOUT_MS = 120_000;
const SLOW_TEST_MS = 300_000;
const VIEW_ONLY = 'arn:aws:iam::aws:policy/job-function/ViewOnlyAccess';
const sorted = <T>(values: Iterable<T>): T[] => [...values].sort();
const exec = promisify(execFile);
/** util-linux `script` gives the CLI a real terminal (stdin, stdout and stderr a pty). */
const hasScript = await exec('script', ['-qec', 'true', '/dev/null']).then(
  () => true,
  () => false,
);

/** Any key that is not a seeded user's is moto's default caller; this one is recognisable wherever it leaks. */
const SECRET_KEY: AccessKey = {
  id: 'AKIAE2ESECRETCHECK01',
  secret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYE2eSeCrEt99',
  sessionToken: 'IQoJb3JpZ2luX2VjE2eSeSsIoNtOkEn0123456789abcdefXYZ',
};

describe.skipIf(endpoint === null)('create-permission-sets against the emulator', () => {
  const motoEndpoint = endpoint ?? '';
  let clients: EmulatorClients;
  let scratch: string;
  let workspace: string;
  const cli = (args: string[], options: Partial<RunCliOptions> = {}) => runCli(args, { endpoint: motoEndpoint, timeoutMs: RUN_TIMEOUT_MS, ...options });
  const createSets = (extra: string[] = [], options: Partial<RunCliOptions> = {}) => cli(['create-permission-sets', '-w', workspace, ...extra], options);
  const readMapping = async () => YAML.parse(await readWorkspaceText(workspace, 'mapping.yaml')) as MappingPermissionSets;
  const emulatorSets = async () => readEmulatorPermissionSets(clients.ssoAdmin, await emulatorInstanceArn(clients.ssoAdmin));
  /** A seeded sandbox, audited, with its policies generated: what create-permission-sets starts from. */
  const prepare = async (options: Partial<RunCliOptions> = {}): Promise<void> => {
    await seedSandboxAccount(clients);
    for (const command of ['audit', 'generate-policies']) {
      const run = await cli([command, '-w', workspace, '-o', 'json'], options);
      expect(run.code, `${command}: ${run.stderr}`).toBe(0);
    }
  };

  useEmulatorSandbox(motoEndpoint, (sandbox) => {
    ({ clients, scratch, workspace } = sandbox);
  });

  it('creates every permission set of the mapping as described, records the ARNs and journals each call', async () => {
    await prepare({ accessKey: SECRET_KEY });
    const run = await createSets(['--yes', '-o', 'json'], { accessKey: SECRET_KEY });
    expect(run.code, run.stderr).toBe(0);
    const result = run.json<CreatePermissionSetsJson>();
    const { execution } = result;
    expect(execution.dryRun).toBe(false);
    expect(execution.interrupted).toBe(false);
    expect(execution.actions.length).toBeGreaterThan(0);
    expect(execution.counts).toEqual({ planned: 0, done: execution.actions.length, skipped: 0, failed: 0, 'not-run': 0, refused: 0, unknown: 0 });

    const mapping = await readMapping();
    const instanceArn = await emulatorInstanceArn(clients.ssoAdmin);
    expect(result.instanceArn).toBe(instanceArn);
    const sets = await readEmulatorPermissionSets(clients.ssoAdmin, instanceArn);
    expect(sorted(sets.keys())).toEqual(sorted(Object.keys(mapping.permissionSets)));
    for (const [name, entry] of Object.entries(mapping.permissionSets)) {
      const set = sets.get(name)!;
      expect(set.description, name).toBe(entry.description ?? null);
      expect(set.sessionSeconds, name).toBe(sessionDurationSeconds(entry.sessionDuration));
      expect(set.managedPolicies, name).toEqual(sorted(entry.managedPolicies));
      expect(set.customerManagedPolicies, name).toEqual([...entry.customerManagedPolicies].sort(byKey));
      const inline = entry.inlinePolicyFile ? await readWorkspaceJson(workspace, entry.inlinePolicyFile) : null;
      expect(set.inlinePolicy, name).toEqual(inline);
    }
    // AWS-managed policies under a path, and every kind of attachment, reached the emulator.
    expect([...sets.values()].filter((s) => s.managedPolicies.includes(VIEW_ONLY)).length).toBeGreaterThan(0);
    expect([...sets.values()].filter((s) => s.customerManagedPolicies.length > 0).length).toBeGreaterThan(0);
    expect([...sets.values()].filter((s) => s.inlinePolicy !== null).length).toBeGreaterThan(0);

    const arns = Object.fromEntries([...sets].map(([name, set]) => [name, set.arn]));
    expect(result.arns).toEqual(arns);
    const state = await readWorkspaceJson<WorkspaceState>(workspace, 'workspace.json');
    expect(state.phases.permissionSets).toMatchObject({ instanceArn, arns });

    // The journal holds an intent before and an outcome after each call, and nothing else for this run.
    const journalText = await readWorkspaceText(workspace, 'journal.jsonl');
    const records = journalText.trim().split('\n').map((line) => JSON.parse(line) as JournalRecord);
    expect(new Set(records.map((r) => r.runId))).toEqual(new Set([execution.runId]));
    const intents = records.filter((r): r is IntentRecord => r.type === 'intent');
    const outcomes = records.filter((r): r is OutcomeRecord => r.type === 'outcome');
    expect(sorted(intents.map((r) => r.actionId))).toEqual(sorted(execution.actions.map((a) => a.id)));
    expect(sorted(outcomes.map((r) => r.actionId))).toEqual(sorted(execution.actions.map((a) => a.id)));
    for (const outcome of outcomes) expect(outcome.status, outcome.actionId).toBe('done');
    for (const action of execution.actions) {
      expect(records.findIndex((r) => r.type === 'intent' && r.actionId === action.id), action.id).toBeLessThan(
        records.findIndex((r) => r.type === 'outcome' && r.actionId === action.id),
      );
    }
    expect(records.filter((r) => r.type === 'run').map((r) => r.type === 'run' && r.event)).toEqual(['start', 'end']);

    const everything = [run.stdout, run.stderr, ...Object.values(await workspaceContents(workspace))].join('\n');
    for (const secret of [SECRET_KEY.secret, SECRET_KEY.sessionToken!]) expect(everything).not.toContain(secret);
  });

  it('makes no mutating call when run again after success', async () => {
    await prepare();
    const first = await createSets(['--yes', '-o', 'json']);
    expect(first.code, first.stderr).toBe(0);
    const before = await emulatorSets();
    const journal = await readWorkspaceText(workspace, 'journal.jsonl');

    const again = await createSets(['--yes', '-o', 'json', '--debug']);
    expect(again.code, again.stderr).toBe(0);
    const { execution, arns } = again.json<CreatePermissionSetsJson>();
    // Nothing differs, so nothing is planned (not even actions that would be skipped) and nothing is journalled.
    expect(execution.actions).toEqual([]);
    expect(execution.runId).toBeNull();
    // The run did read Identity Center (the debug log works), and sent nothing that changes it.
    expect(ssoAdminRequests(again.stderr).length).toBeGreaterThan(0);
    expect(mutatingRequests(again.stderr)).toEqual([]);
    expect(await emulatorSets()).toEqual(before);
    expect(arns).toEqual(Object.fromEntries([...before].map(([name, set]) => [name, set.arn])));
    expect(await readWorkspaceText(workspace, 'journal.jsonl')).toBe(journal);
  }, SLOW_TEST_MS);

  it('applies exactly the actions that --dry-run showed, and dry-run changes nothing', async () => {
    await prepare();
    const dry = await createSets(['--dry-run', '-o', 'json', '--debug']);
    expect(dry.code, dry.stderr).toBe(0);
    const preview = dry.json<CreatePermissionSetsJson>().execution;
    expect(preview.dryRun).toBe(true);
    expect(preview.runId).toBeNull();
    const planned = preview.actions.map((a) => a.id);
    expect(planned.length).toBeGreaterThan(0);
    expect(preview.counts.planned).toBe(planned.length);
    expect(new Set(preview.actions.map((a) => a.status))).toEqual(new Set(['planned']));
    expect(ssoAdminRequests(dry.stderr).length).toBeGreaterThan(0);
    expect(mutatingRequests(dry.stderr)).toEqual([]);
    expect((await emulatorSets()).size).toBe(0);
    expect((await readdir(workspace)).includes('journal.jsonl')).toBe(false);

    const apply = await createSets(['--yes', '-o', 'json', '--debug']);
    expect(apply.code, apply.stderr).toBe(0);
    const { execution } = apply.json<CreatePermissionSetsJson>();
    expect(execution.actions.map((a) => a.id)).toEqual(planned);
    expect(execution.actions.filter((a) => a.status !== 'done')).toEqual([]);
    // One mutating call per planned action, of the operation its kind sends, and no other.
    const sent = countBy(mutatingRequests(apply.stderr), (r) => r.operation);
    expect(sent).toEqual(countBy(preview.actions, (a) => OPERATION_OF_KIND[a.kind] ?? a.kind));
  });

  it('refuses without --yes when nobody can answer: at once, and with nothing created', async () => {
    await prepare();
    for (const env of [{}, { CI: '1' }]) {
      const run = await createSets(['-o', 'json'], { stdin: 'keep-open', env, timeoutMs: 30_000 });
      expect(run.timedOut, JSON.stringify(env)).toBe(false);
      expect(run.code, `${JSON.stringify(env)}: ${run.stderr}`).toBe(3);
      expect(run.json<ErrorJson>().error.code).toBe('NO_INTERACTIVE_INPUT');
      expect((await emulatorSets()).size).toBe(0);
    }
    if (!hasScript) return;

    // In a real terminal CI=1 still refuses, while the same terminal without it asks, and "y" applies.
    const inCi = await runInTerminal(['create-permission-sets', '-w', workspace], { CI: '1' }, null);
    expect(inCi.code, inCi.output).toBe(3);
    expect((await emulatorSets()).size).toBe(0);
    const answered = await runInTerminal(['create-permission-sets', '-w', workspace], {}, 'y\r');
    expect(answered.code, answered.output).toBe(0);
    expect(sorted((await emulatorSets()).keys())).toEqual(sorted(Object.keys((await readMapping()).permissionSets)));
  });

  it('--emit writes Terraform or CloudFormation with no AWS request', async () => {
    await prepare();
    const mapping = await readMapping();
    const counter = await startCountingServer();
    try {
      for (const format of ['terraform', 'cloudformation'] as const) {
        const out = join(scratch, `iac-${format}`);
        const run = await createSets(['--emit', format, '--out', out, '-o', 'json'], { endpoint: counter.endpoint });
        expect(run.code, `${format}: ${run.stderr}`).toBe(0);
        const { files } = run.json<{ files: string[] }>();
        expect(files.length, format).toBeGreaterThan(0);
        expect(sorted(await readdir(out))).toEqual(sorted(files.map((f) => f.slice(out.length + 1))));
        const text = (await Promise.all(files.map((f) => readWorkspaceText(out, f.slice(out.length + 1))))).join('\n');
        for (const name of Object.keys(mapping.permissionSets)) expect(text, `${format}: ${name}`).toContain(name);
        expect(text).toContain(VIEW_ONLY);
        if (format === 'cloudformation') expectTemplateMatchesMapping(text, mapping, await policiesOf(mapping));
      }
      expect(counter.requests()).toBe(0);
    } finally {
      await counter.close();
    }
  });

  it('rejects limits Identity Center would refuse with exit 2, naming the field, before any AWS request', async () => {
    await prepare();
    const mapping = await readMapping();
    const pristine = await readWorkspaceText(workspace, 'mapping.yaml');
    const [withPolicy, entry] = Object.entries(mapping.permissionSets).find(([, e]) => e.inlinePolicyFile)!;
    const policyFile = entry.inlinePolicyFile!;
    const policy = await readWorkspaceText(workspace, policyFile);
    const [first] = Object.keys(mapping.permissionSets);
    const oversized = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: Array.from({ length: 400 }, (_, i) => `arn:aws:s3:::bucket-${i}/*`) }] };
    expect(JSON.stringify(oversized).length).toBeGreaterThan(10_240);
    const cases: Array<{ label: string; field?: string; args?: string[]; prepare: () => Promise<void> }> = [
      { label: 'session of 13 hours', field: `permissionSets.${first}.sessionDuration`, prepare: () => editMapping(workspace, (d) => d.setIn(['permissionSets', first, 'sessionDuration'], 'PT13H')) },
      { label: 'description of 701 characters', field: `permissionSets.${first}.description`, prepare: () => editMapping(workspace, (d) => d.setIn(['permissionSets', first, 'description'], 'd'.repeat(701))) },
      { label: 'inline policy over 10,240 characters', field: `permissionSets.${withPolicy}.inlinePolicyFile`, prepare: () => writeFile(join(workspace, policyFile), JSON.stringify(oversized, null, 2)) },
      { label: 'unknown --permission-sets name', args: ['--permission-sets', 'NoSuchSet'], prepare: async () => {} },
    ];
    const counter = await startCountingServer();
    try {
      for (const c of cases) {
        await writeFile(join(workspace, 'mapping.yaml'), pristine);
        await writeFile(join(workspace, policyFile), policy);
        await c.prepare();
        const run = await createSets(['--yes', '-o', 'json', ...(c.args ?? [])], { endpoint: counter.endpoint });
        expect(run.code, `${c.label}: ${run.stderr}`).toBe(2);
        expect(run.json<ErrorJson>().error.code, c.label).toBeTruthy();
        if (c.field) expect(`${run.stdout}\n${run.stderr}`, c.label).toContain(c.field);
        expect(counter.requests(), `AWS requests after: ${c.label}`).toBe(0);
      }
    } finally {
      await counter.close();
    }
    expect((await emulatorSets()).size).toBe(0);
  });

  /** Every set's inline policy file, parsed, by set name. */
  async function policiesOf(mapping: MappingPermissionSets): Promise<Record<string, unknown>> {
    const entries = Object.entries(mapping.permissionSets).filter(([, e]) => e.inlinePolicyFile);
    return Object.fromEntries(await Promise.all(entries.map(async ([name, e]) => [name, await readWorkspaceJson(workspace, e.inlinePolicyFile!)] as const)));
  }

  /** Runs the CLI in a pseudo-terminal; `input` is typed into it (null: nothing), and stays open until the CLI exits. */
  async function runInTerminal(args: string[], env: Record<string, string>, input: string | null): Promise<{ code: number | null; output: string }> {
    const home = await mkdtemp(join(scratch, 'home-'));
    const quote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;
    const command = [process.execPath, CLI_BIN, ...args].map(quote).join(' ');
    const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: REPO_ROOT, env: buildCliEnv({ endpoint: motoEndpoint, env }, home), stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stdin.on('error', () => {});
    if (input !== null) child.stdin.write(input);
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    clearTimeout(timer);
    return { code, output };
  }
});

/** The CloudFormation template holds each set of the mapping with its settings, attachments and inline policy. */
function expectTemplateMatchesMapping(text: string, mapping: MappingPermissionSets, policies: Record<string, unknown>): void {
  type Resource = { Type: string; Properties: Record<string, unknown> };
  const template = YAML.parse(text, { customTags: ['Ref', 'GetAtt'].map((fn) => ({ tag: `!${fn}`, resolve: (value: string) => ({ [fn]: value }) })) }) as { Resources: Record<string, Resource> };
  const sets = Object.values(template.Resources).filter((r) => r.Type === 'AWS::SSO::PermissionSet');
  expect(sorted(sets.map((r) => r.Properties.Name as string))).toEqual(sorted(Object.keys(mapping.permissionSets)));
  for (const { Properties: p } of sets) {
    const entry = mapping.permissionSets[p.Name as string]!;
    const context = `template ${String(p.Name)}`;
    expect(p.SessionDuration, context).toBe(entry.sessionDuration);
    expect(p.Description, context).toBe(entry.description);
    expect(sorted((p.ManagedPolicies as string[] | undefined) ?? []), context).toEqual(sorted(entry.managedPolicies));
    const refs = ((p.CustomerManagedPolicyReferences as { Name: string; Path: string }[] | undefined) ?? []).map((r) => ({ name: r.Name, path: r.Path }));
    expect(refs.sort(byKey), context).toEqual([...entry.customerManagedPolicies].sort(byKey));
    expect(p.InlinePolicy ?? null, context).toEqual(policies[p.Name as string] ?? null);
  }
}
