import type { AccessAnalyzerClient } from '@aws-sdk/client-accessanalyzer';
import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { IAMClient } from '@aws-sdk/client-iam';
import { say, type IoHost } from '../../io/io-host.js';
import type { Workspace } from '../../workspace/workspace.js';
import type { PolicyDocument } from '../../model/inventory.js';
import { buildProposedPolicy, buildUsedPolicy, comparePolicySources, keepKnownActions, type PolicyBasis, type PolicyComparison } from './compare-policy-sources.js';
import { gatherActivity, type ActivityOutcome, type ActivityRequest, type ActivityRun } from './gather-activity.js';
import { overflowPolicyFile, packPermissionSet } from './pack-permission-set.js';
import { withCarried } from './plan-policy-sets.js';
import { countFindings, type ComparisonSummary, type PolicySetResult } from './policy-set-result.js';
import { countPolicyChars, IAM_MANAGED_POLICY_CHARS } from '../../model/policy-size.js';
import type { PreparedPolicyGeneration, PreparedPolicySet } from './prepare-policy-generation.js';
import type { FidelitySplit } from './split-for-fidelity.js';
import { PERMISSION_SET_LIMITS, type PackedPermissionSet } from './types.js';
import { PolicyValidator, type ValidationSkip } from './validate-policy.js';
import type { GenerationDecision } from './policy-generation-phase.js';
import { describePlannedOutputs, planPolicyOutputs, writePlannedOutputs, type PolicyOutputs, type PolicySetFiles } from './write-policy-outputs.js';

export interface GeneratePoliciesOptions {
  prepared: PreparedPolicyGeneration;
  workspace: Workspace;
  aws: { iam: Pick<IAMClient, 'send'>; accessAnalyzer: AccessAnalyzerClient; cloudTrail: Pick<CloudTrailClient, 'send'> };
  io: IoHost;
  now: () => Date;
  /** Analyse CloudTrail activity too (`--from-activity`), with how its jobs run. */
  activity: (ActivityRequest & { run: ActivityRun }) | null;
  /** `--use`: the basis for every set; without it the operator is asked per set (default: granted). */
  basis?: PolicyBasis;
  /** `--regenerate`: replace policy files the operator edited. */
  regenerate: boolean;
  /**
   * false: work everything out and report the files a real run would write, but write none (the
   * command's `--dry-run`). Policy files, manifest, mapping.yaml, report and workspace.json alike.
   */
  write: boolean;
}

export interface GeneratePoliciesResult extends PolicyOutputs {
  /** Nothing was written and no job started: `changes`, `mappingChanges` and `activity.plannedJobs` say what a real run would do. */
  dryRun: boolean;
  sets: PolicySetResult[];
  splits: FidelitySplit[];
  validationSkip: ValidationSkip | null;
  activity: {
    analysedUsers: string[];
    remainingUsers: string[];
    stop: string | null;
    trailArn: string | null;
    /** On a dry-run, each user's job as a real run would take it; null when jobs ran. */
    plannedJobs: GenerationDecision[] | null;
  } | null;
}

/**
 * Builds each permission set's policy from its IAM source (and, on request, from what its users did),
 * validates it, and writes the policy files, mapping.yaml and reports/policies.md. Reads AWS only.
 */
export async function generatePolicies(options: GeneratePoliciesOptions): Promise<GeneratePoliciesResult> {
  const { prepared, io } = options;
  const activity = options.activity
    ? await gatherActivity({ drafts: prepared.sets.map((s) => s.draft), snapshot: prepared.snapshot, request: options.activity, run: options.activity.run, aws: options.aws, io, now: options.now })
    : null;
  const validator = new PolicyValidator(options.aws.accessAnalyzer);
  const files: PolicySetFiles[] = [];
  for (const set of prepared.sets) files.push(await generateOne(set, activity, validator, options));
  const generatedAt = options.now().toISOString();
  const planned = await planPolicyOutputs(options.workspace, files, prepared.mappingDocument, prepared.manifest, {
    generatedAt,
    activity: describeActivity(activity),
    splits: prepared.splits,
  });
  // The one place the dry-run decision acts: the same outputs, written or only described.
  let outputs: PolicyOutputs;
  if (options.write) {
    outputs = await writePlannedOutputs(options.workspace, planned);
    await recordPolicyPhase(options.workspace, files, generatedAt);
  } else {
    outputs = describePlannedOutputs(options.workspace, planned);
    announceOutputs(io, outputs, prepared.splits);
  }
  const generation = activity?.generation ?? null;
  return {
    ...outputs,
    dryRun: !options.write,
    sets: files.map((f) => f.result),
    splits: prepared.splits,
    validationSkip: validator.skip,
    activity: activity && {
      analysedUsers: [...activity.usedByUser.keys()].sort(),
      remainingUsers: generation?.remaining ?? [],
      stop: generation?.stop?.code ?? null,
      trailArn: activity.sources.ready ? activity.sources.trail.trail.cloudTrailArn : null,
      plannedJobs: generation?.execution.dryRun ? generation.decisions : null,
    },
  };
}

async function generateOne(set: PreparedPolicySet, activity: ActivityOutcome | null, validator: PolicyValidator, options: GeneratePoliciesOptions): Promise<PolicySetFiles> {
  const { draft } = set;
  if (set.existing.editedByOperator && set.existing.document && !options.regenerate) {
    say.info(options.io, 'POLICY_FILE_KEPT', `${set.inlinePolicyFile} was edited by hand and is kept (use --regenerate to replace it).`);
    const entry = options.prepared.mapping.permissionSets[draft.name];
    const packed: PackedPermissionSet = {
      permissionSet: draft.name,
      managedPolicies: entry?.managedPolicies ?? [],
      customerManagedPolicies: entry?.customerManagedPolicies ?? [],
      inlinePolicy: set.existing.document,
      overflowPolicies: [],
      notes: [],
    };
    const result = await describeResult(set, packed, 'granted', null, 'kept-operator-edit', validator, options.io);
    return { result, inlinePolicy: set.existing.document, overflow: [], keep: true };
  }
  const { basis, packed, comparison } = await chooseBasis(set, activity, options);
  const fileOutcome = set.existing.document && JSON.stringify(set.existing.document) === JSON.stringify(packed.inlinePolicy) ? 'unchanged' : 'written';
  const result = await describeResult(set, packed, basis, comparison, packed.inlinePolicy ? fileOutcome : 'none', validator, options.io);
  for (const overflow of packed.overflowPolicies) {
    const check = await validator.validate(overflow.document, { maxChars: IAM_MANAGED_POLICY_CHARS });
    result.validation.findings.push(...check.findings);
  }
  result.validation.counts = countFindings(result.validation.findings);
  result.ready = isReady(result);
  return {
    result,
    inlinePolicy: packed.inlinePolicy,
    overflow: packed.overflowPolicies.map((p) => ({ file: overflowPolicyFile(p.name), document: p.document })),
    keep: false,
  };
}

/** Compares granted with used when activity is known, and packs the basis the operator picks. */
async function chooseBasis(
  set: PreparedPolicySet,
  activity: ActivityOutcome | null,
  options: GeneratePoliciesOptions,
): Promise<{ basis: PolicyBasis; packed: PackedPermissionSet; comparison: ComparisonSummary | null }> {
  const { draft } = set;
  if (!activity || activity.usedByUser.size === 0 || draft.users.length === 0) return { basis: 'granted', packed: draft.granted, comparison: null };
  const analysed = draft.users.filter((u) => activity.usedByUser.has(u.userName)).map((u) => u.userName);
  const missing = draft.users.filter((u) => !activity.usedByUser.has(u.userName)).map((u) => u.userName);
  const used = analysed.flatMap((name) => activity.usedByUser.get(name) ?? []);
  const granted: PolicyDocument[] = [
    ...draft.sources.awsManagedPolicyArns.map((arn) => activity.awsManagedDocuments.get(arn)).filter((d): d is PolicyDocument => d !== undefined),
    ...draft.sources.customerManaged.map((p) => p.document),
    ...draft.sources.inline.map((p) => p.document),
  ];
  const comparison = await comparePolicySources(granted, used);
  const summary = summarise(comparison, analysed, missing);
  // Narrowing on the activity of only some users would take away what the others use.
  const complete = missing.length === 0;
  const basis = complete ? await askBasis(draft.name, comparison, options) : 'granted';
  if (!complete) {
    say.warn(options.io, 'ACTIVITY_INCOMPLETE', `${draft.name}: no activity yet for ${missing.join(', ')}; keeping the granted policy until every user is analysed.`);
  }
  if (basis === 'granted') return { basis, packed: draft.granted, comparison: summary };
  const built = basis === 'used' ? buildUsedPolicy(used) : buildProposedPolicy(used, granted, comparison.invisibleKept);
  const { document, dropped } = await keepKnownActions(built);
  // The Denies of its people's IAM identities stay, whatever narrower set of Allows the activity suggests.
  const packed = packPermissionSet(
    withCarried({ ...draft.sources, awsManagedPolicyArns: [], customerManaged: [], inline: [{ origin: `${basis} activity`, document }] }, draft.carriedDenies),
    { customerManagedAvailable: draft.customerManagedAvailable },
  );
  packed.notes.unshift(...draft.fidelityNotes);
  if (dropped.length > 0) {
    packed.notes.push({ code: 'UNKNOWN_ACTIONS_LEFT_OUT', severity: 'warning', message: `Left out actions the IAM action database does not know: ${dropped.join(', ')}.` });
  }
  return { basis, packed, comparison: summary };
}

async function askBasis(name: string, comparison: PolicyComparison, options: GeneratePoliciesOptions): Promise<PolicyBasis> {
  if (options.basis) return options.basis;
  return options.io.select<PolicyBasis>({
    code: 'POLICY_BASIS',
    message: `${name}: ${comparison.grantedActions.length} actions granted, ${comparison.usedActions.length} used, ${comparison.proposedActions.length} proposed. Which policy should the permission set carry?`,
    choices: [
      { name: `granted — what the IAM policies allow today (${comparison.grantedActions.length} actions)`, value: 'granted' },
      { name: `used — only what CloudTrail saw (${comparison.usedActions.length} actions)`, value: 'used' },
      { name: `proposed — used, plus granted actions CloudTrail cannot see (${comparison.proposedActions.length} actions)`, value: 'proposed' },
    ],
    defaultValue: 'granted',
  });
}

async function describeResult(
  set: PreparedPolicySet,
  packed: PackedPermissionSet,
  basis: PolicyBasis,
  comparison: ComparisonSummary | null,
  file: PolicySetResult['file'],
  validator: PolicyValidator,
  io: IoHost,
): Promise<PolicySetResult> {
  const validation = packed.inlinePolicy
    ? await validator.validate(packed.inlinePolicy, { maxChars: PERMISSION_SET_LIMITS.inlinePolicyChars })
    : { byAccessAnalyzer: false, findings: [], skipped: null, firstSkip: false };
  if (validation.firstSkip && validation.skipped) {
    say.warn(io, validation.skipped.code, `${validation.skipped.message} Only the local checks ran. ${validation.skipped.resolution}`, validation.skipped);
  }
  const result: PolicySetResult = {
    name: set.draft.name,
    source: set.draft.source,
    basis,
    managedPolicies: packed.managedPolicies,
    customerManagedPolicies: packed.customerManagedPolicies,
    ...(file === 'kept-operator-edit' || set.draft.permissionsBoundary === undefined ? {} : { permissionsBoundary: set.draft.permissionsBoundary }),
    inlinePolicyFile: packed.inlinePolicy ? set.inlinePolicyFile : null,
    inlinePolicyChars: packed.inlinePolicy ? countPolicyChars(packed.inlinePolicy) : 0,
    overflowFiles: packed.overflowPolicies.map((p) => overflowPolicyFile(p.name)),
    notes: packed.notes,
    validation: { byAccessAnalyzer: validation.byAccessAnalyzer, counts: countFindings(validation.findings), findings: [...validation.findings] },
    ready: false,
    file,
    comparison,
  };
  result.ready = isReady(result);
  return result;
}

function isReady(result: PolicySetResult): boolean {
  return result.validation.counts.ERROR === 0 && !result.notes.some((n) => n.severity === 'error');
}

function summarise(comparison: PolicyComparison, analysed: string[], missing: string[]): ComparisonSummary {
  return {
    granted: comparison.grantedActions.length,
    used: comparison.usedActions.length,
    proposed: comparison.proposedActions.length,
    grantedButUnused: comparison.grantedButUnused,
    usedButNotGranted: comparison.usedButNotGranted,
    invisibleKept: comparison.invisibleKept,
    usersAnalysed: analysed,
    usersMissing: missing,
  };
}

function describeActivity(activity: ActivityOutcome | null): string {
  if (!activity) return 'not analysed (run with --from-activity to compare with CloudTrail)';
  if (!activity.sources.ready) return `not analysed: ${activity.sources.problems.map((p) => p.code).join(', ')}`;
  const window = activity.generation?.window;
  return `${activity.usedByUser.size} user(s) analysed from ${activity.sources.trail.trail.cloudTrailArn}${window ? `, ${window.startTime.slice(0, 10)} to ${window.endTime.slice(0, 10)}` : ''}`;
}

/** A set with only managed attachments has no document to validate. */
function validatedBy(result: PolicySetResult): 'access-analyzer' | 'local' | 'none' {
  if (!result.inlinePolicyFile && result.overflowFiles.length === 0) return 'none';
  return result.validation.byAccessAnalyzer ? 'access-analyzer' : 'local';
}

/** What a dry-run would have written, one message per file and per mapping change. */
function announceOutputs(io: IoHost, outputs: PolicyOutputs, splits: readonly FidelitySplit[]): void {
  for (const file of outputs.changes.filter((c) => c.change !== 'unchanged')) {
    say.info(io, 'POLICY_OUTPUT_PLANNED', `Dry run: ${file.path} would be ${file.change === 'create' ? 'created' : 'updated'}.`, file);
  }
  for (const split of splits) say.info(io, 'MAPPING_SPLIT_PLANNED', `Dry run: mapping.yaml would gain ${split.to}, split from ${split.from} for ${split.members.join(', ')}: ${split.because}`, split);
  for (const entry of outputs.mappingChanges) {
    say.info(io, 'MAPPING_CHANGE_PLANNED', `Dry run: mapping.yaml permission set ${entry.permissionSet} would be ${entry.change} (${entry.fields.join(', ')}).`, entry);
  }
  say.info(io, 'POLICIES_NOT_WRITTEN', 'Dry run: nothing was written to the workspace.');
}

async function recordPolicyPhase(workspace: Workspace, files: PolicySetFiles[], generatedAt: string): Promise<void> {
  const sets = Object.fromEntries(
    files.map(({ result }) => [
      result.name,
      { ready: result.ready, basis: result.basis, validatedBy: validatedBy(result), inlinePolicyFile: result.inlinePolicyFile },
    ]),
  );
  await workspace.updateState({ phase: 'policies', update: (previous) => ({ lastRunAt: generatedAt, sets: { ...previous?.sets, ...sets } }) });
}
