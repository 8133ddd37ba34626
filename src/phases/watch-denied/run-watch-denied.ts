/**
 * `watch-denied` from start to end: watch the window, write the reports and the policy patches,
 * record the IAM users' activity for `disable`, and, on request, apply the patches through the
 * permission-set plan.
 */
import type { AccessAnalyzerClient } from '@aws-sdk/client-accessanalyzer';
import type { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import type { Document } from 'yaml';
import { UserError } from '../../errors.js';
import { say } from '../../io/io-host.js';
import type { PlanRunOptions } from '../../plan/run-command-plan.js';
import type { Mapping } from '../../workspace/mapping-schema.js';
import { readPolicyManifest } from '../../workspace/policy-files.js';
import type { WorkspaceState } from '../../workspace/workspace-state.js';
import { PERMISSION_SET_LIMITS } from '../generate-policies/types.js';
import { PolicyValidator } from '../generate-policies/validate-policy.js';
import { applySuggestions, type ApplySuggestionsResult } from './apply-suggestions.js';
import { mergeSuggestions, type MergeResult } from './merge-suggestions.js';
import { recordActivity } from './record-activity.js';
import { patchPath, suggestPolicyPatches, type PolicyPatch } from './suggest-policy-patches.js';
import type { AccumulatorContext } from './watch-accumulator.js';
import { watchDenied, type WatchDeniedOptions } from './watch-denied.js';
import type { WatchReport } from './watch-report.js';
import { deniedReportPaths, writeDeniedReports, type DeniedReportFiles } from './write-denied-reports.js';

export const WATCH_DENIED = 'watch-denied';

export interface RunWatchDeniedOptions extends Omit<WatchDeniedOptions, 'context'> {
  plan: PlanRunOptions;
  state: WorkspaceState;
  /** null when the workspace has no mapping.yaml yet: denials are still attributed, nothing is suggested. */
  mapping: { mapping: Mapping; document: Document } | null;
  suggest: boolean;
  applySuggestions: boolean;
  /**
   * false: write no report, patch or activity record (the command's `--dry-run`); the result names
   * the files a real run would write. The permission-set plan of --apply-suggestions then only previews.
   */
  write: boolean;
  /** Built only when suggestions are applied: validation, then the permission-set plan. */
  clients: () => { accessAnalyzer: AccessAnalyzerClient; ssoAdmin: (region: string) => SSOAdminClient };
}

export interface WatchDeniedResult {
  /** Nothing was written: `files` and the suggestion files are what a real run would write. */
  dryRun: boolean;
  report: WatchReport;
  files: DeniedReportFiles;
  suggestions: { permissionSet: string; file: string; actions: PolicyPatch['actions'] }[];
  /** With --apply-suggestions: what merged, and the permission-set run. */
  applied: (Omit<MergeResult, 'merged'> & { merged: { permissionSet: string; file: string; actionsAdded: string[] }[]; run: ApplySuggestionsResult }) | null;
  /** IAM users whose old credentials were seen, as recorded for `disable`. */
  activityRecorded: number;
}

/** Checks, before any AWS call, that the flags can be honoured by the workspace as it is. */
export function checkWatchPreconditions(options: Pick<RunWatchDeniedOptions, 'mapping' | 'suggest' | 'applySuggestions'> & { state: WorkspaceState | null }): void {
  if ((options.suggest || options.applySuggestions) && options.mapping === null) {
    throw new UserError('MAPPING_REQUIRED', 'Suggestions need mapping.yaml, which says which permission sets iam2idc manages.', 'Run `iam2idc audit` (then generate-policies and create-permission-sets) first.');
  }
  if (options.applySuggestions && !(options.state?.identityCenter && options.state.phases.permissionSets)) {
    throw new UserError(
      'PERMISSION_SETS_NOT_CREATED',
      '--apply-suggestions updates the permission sets, but the workspace has no Identity Center instance or permission sets recorded.',
      'Run `iam2idc create-permission-sets` first, or use --suggest to only write the patches.',
    );
  }
}

export async function runWatchDenied(options: RunWatchDeniedOptions): Promise<WatchDeniedResult> {
  const { io, plan } = options;
  const mapping = options.mapping?.mapping ?? null;
  const report = await watchDenied({ ...options, context: accumulatorContext(options.accountId, mapping) });

  const patches = options.suggest || options.applySuggestions ? await suggestPolicyPatches(report) : [];
  const suggestionFiles = Object.fromEntries(patches.map((p) => [p.permissionSet, patchPath(p.permissionSet)]));
  let files: DeniedReportFiles;
  let activity: unknown = null;
  if (options.write) {
    for (const patch of patches) await plan.workspace.writeJson(patchPath(patch.permissionSet), patch);
    files = await writeDeniedReports(plan.workspace, report, suggestionFiles);
    activity = await recordActivity(plan.workspace, report, options.now());
  } else {
    files = deniedReportPaths(report.generatedAt);
    const wouldWrite = [files.json, files.markdown, ...Object.values(suggestionFiles), 'workspace.json (activity of the IAM users)'];
    say.info(io, 'WATCH_NOT_WRITTEN', `Dry run: read ${report.logGroup.name} (${report.logGroup.region}) from ${report.window.since} to ${report.window.until}; nothing written. A real run would write ${wouldWrite.join(', ')}.`, { logGroup: report.logGroup, window: report.window, wouldWrite });
  }

  let applied: WatchDeniedResult['applied'] = null;
  if (options.applySuggestions && options.mapping && patches.length > 0) {
    applied = await apply(options, options.mapping, patches);
  } else if (options.applySuggestions) {
    say.info(io, 'NO_SUGGESTIONS', 'No denial in the window can be fixed by a permission set of mapping.yaml: nothing to apply.');
  }
  return {
    dryRun: !options.write,
    report,
    files,
    suggestions: patches.map((p) => ({ permissionSet: p.permissionSet, file: patchPath(p.permissionSet), actions: p.actions })),
    applied,
    activityRecorded: activity ? report.iamUsers.length : 0,
  };
}

async function apply(options: RunWatchDeniedOptions, loaded: { mapping: Mapping; document: Document }, patches: PolicyPatch[]): Promise<NonNullable<WatchDeniedResult['applied']>> {
  const { plan, state } = options;
  const clients = options.clients();
  const manifest = await readPolicyManifest(plan.workspace);
  const validator = new PolicyValidator(clients.accessAnalyzer, { maxChars: PERMISSION_SET_LIMITS.inlinePolicyChars });
  const merge = await mergeSuggestions(plan.workspace, loaded.mapping, patches, manifest, validator);
  if (validator.skip) say.warn(options.io, validator.skip.code, `${validator.skip.message} The merged policies were checked locally.`);
  for (const problem of merge.problems) say.warn(options.io, 'SUGGESTION_NOT_MERGED', `${problem.permissionSet}: ${problem.reason}.`);
  for (const name of merge.unchanged) say.info(options.io, 'SUGGESTION_ALREADY_MERGED', `${name}: its policy already has the suggested actions; if the calls are still denied, run create-permission-sets to provision it.`);
  // Checked by checkWatchPreconditions before any AWS call.
  const identityCenter = state.identityCenter as NonNullable<WorkspaceState['identityCenter']>;
  const run = await applySuggestions({
    ...plan,
    ssoAdmin: clients.ssoAdmin(identityCenter.region),
    instanceArn: identityCenter.instanceArn,
    accountId: options.accountId,
    mapping: loaded.mapping,
    mappingDocument: loaded.document,
    manifest,
    merge,
    policyStatus: state.phases.policies?.sets ?? {},
  });
  return {
    unchanged: merge.unchanged,
    problems: merge.problems,
    merged: merge.merged.map((m) => ({ permissionSet: m.permissionSet, file: m.file, actionsAdded: m.actionsAdded })),
    run,
  };
}

function accumulatorContext(accountId: string, mapping: Mapping | null): AccumulatorContext {
  return {
    accountId,
    mappedPermissionSets: new Set(Object.keys(mapping?.permissionSets ?? {})),
    userKinds: new Map(Object.entries(mapping?.users ?? {}).map(([name, user]) => [name.toLowerCase(), user.kind])),
  };
}
