import type { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import type { Document } from 'yaml';
import type { PlanRunOptions } from '../../plan/run-command-plan.js';
import type { Mapping } from '../../workspace/mapping-schema.js';
import { readPolicyFile, type PolicyFileManifest } from '../../workspace/policy-files.js';
import { readDesiredPermissionSets } from '../create-permission-sets/read-desired.js';
import { runPhase } from '../../plan/run-phase.js';
import { createPermissionSetsPhase, type CreatePermissionSetsResult } from '../create-permission-sets/create-permission-sets-phase.js';
import { mappingWithMergedFiles, writeMergedPolicies, type MergeResult } from './merge-suggestions.js';

export interface ApplySuggestionsOptions extends PlanRunOptions {
  ssoAdmin: SSOAdminClient;
  instanceArn: string;
  accountId: string;
  mapping: Mapping;
  mappingDocument: Document;
  manifest: PolicyFileManifest;
  merge: MergeResult;
  policyStatus: Record<string, { ready: boolean }>;
}

export interface ApplySuggestionsResult {
  /** Files written once the plan was confirmed; empty on a dry-run or when nothing was merged. */
  written: string[];
  permissionSets: CreatePermissionSetsResult | null;
}

/**
 * The permission-set plan of the merged sets, through the same engine as create-permission-sets:
 * preview, confirm, apply, provision. The merged policy files (and mapping.yaml, for new files) are
 * written only once the plan is confirmed, so that a declined plan or a dry-run changes nothing.
 */
export async function applySuggestions(options: ApplySuggestionsOptions): Promise<ApplySuggestionsResult> {
  const { merged } = options.merge;
  if (merged.length === 0) return { written: [], permissionSets: null };
  const byFile = new Map(merged.map((m) => [m.file, m.document]));
  const ready = Object.fromEntries(merged.map((m) => [m.permissionSet, { ready: true }]));
  const desired = await readDesiredPermissionSets(
    mappingWithMergedFiles(options.mapping, merged),
    async (file) => byFile.get(file) ?? (await readPolicyFile(options.workspace, file, options.manifest)).document,
    { only: merged.map((m) => m.permissionSet), policyStatus: { ...options.policyStatus, ...ready } },
  );
  let written: string[] = [];
  const phase = createPermissionSetsPhase({ ...options, desired });
  const permissionSets = await runPhase(phase, {
    ...options,
    beforeApply: async () => {
      written = await writeMergedPolicies(options.workspace, merged, options.mappingDocument, options.now());
    },
  });
  return { written, permissionSets };
}
