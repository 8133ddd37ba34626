/**
 * `--apply-suggestions`, the local half: each patch merged into its permission set's inline policy,
 * checked as create-permission-sets would check it, kept in memory until the operator confirms the
 * permission-set plan, then written (see writeMergedPolicies).
 */
import type { Document } from 'yaml';
import { MAPPING_FILE, renderMappingDocument } from '../../workspace/mapping-file.js';
import type { Mapping } from '../../workspace/mapping-schema.js';
import { readPolicyFile, renderPolicyFile, type PolicyFileManifest } from '../../workspace/policy-files.js';
import type { Workspace } from '../../workspace/workspace.js';
import type { WorkspaceState } from '../../workspace/workspace-state.js';
import { matchesActionPattern, statementsOf } from '../../model/policy-statements.js';
import type { PolicyDocument } from '../../model/inventory.js';
import { mergeStatements } from '../generate-policies/merge-statements.js';
import { countPolicyChars } from '../../model/policy-size.js';
import { PERMISSION_SET_LIMITS } from '../generate-policies/types.js';
import { hasBlockingFindings, type PolicyValidator } from '../generate-policies/validate-policy.js';
import type { PolicyPatch } from './suggest-policy-patches.js';

export interface MergedPolicy {
  permissionSet: string;
  /** The inline policy file, relative to the workspace. */
  file: string;
  /** The set had no inline policy: the file is new and mapping.yaml will point at it. */
  newFile: boolean;
  document: PolicyDocument;
  actionsAdded: string[];
  validatedBy: 'access-analyzer' | 'local';
}

export interface MergeProblem {
  permissionSet: string;
  reason: string;
}

export interface MergeResult {
  merged: MergedPolicy[];
  /** Patches whose actions the policy already has (not provisioned yet, or denied for another reason). */
  unchanged: string[];
  problems: MergeProblem[];
}

/** Merges each patch into its set's policy and validates the result; nothing is written. */
export async function mergeSuggestions(
  workspace: Workspace,
  mapping: Mapping,
  patches: PolicyPatch[],
  manifest: PolicyFileManifest,
  validator: PolicyValidator,
): Promise<MergeResult> {
  const result: MergeResult = { merged: [], unchanged: [], problems: [] };
  for (const patch of patches) {
    const entry = mapping.permissionSets[patch.permissionSet];
    if (entry === undefined) {
      result.problems.push({ permissionSet: patch.permissionSet, reason: 'not a permission set of mapping.yaml' });
      continue;
    }
    const file = entry.inlinePolicyFile ?? `policies/${patch.permissionSet}.json`;
    const current = (await readPolicyFile(workspace, file, manifest)).document;
    const before = statementsOf(current);
    const document: PolicyDocument = { Version: '2012-10-17', Statement: mergeStatements([...before, ...statementsOf(patch.document)]) };
    const actionsAdded = patch.actions.map((a) => a.action).filter((action) => !grants(before, action));
    if (current !== null && JSON.stringify(mergeStatements(before)) === JSON.stringify(document.Statement)) {
      result.unchanged.push(patch.permissionSet);
      continue;
    }
    const chars = countPolicyChars(document);
    if (chars > PERMISSION_SET_LIMITS.inlinePolicyChars) {
      result.problems.push({
        permissionSet: patch.permissionSet,
        reason: `the merged inline policy would have ${chars} characters, over the ${PERMISSION_SET_LIMITS.inlinePolicyChars} a permission set allows: merge the patch by hand into a customer-managed policy`,
      });
      continue;
    }
    const validation = await validator.validate(document, { maxChars: PERMISSION_SET_LIMITS.inlinePolicyChars });
    if (hasBlockingFindings(validation)) {
      const first = validation.findings.find((f) => f.severity === 'ERROR');
      result.problems.push({ permissionSet: patch.permissionSet, reason: `the merged policy does not validate: ${first?.message ?? 'error'}` });
      continue;
    }
    result.merged.push({
      permissionSet: patch.permissionSet,
      file,
      newFile: entry.inlinePolicyFile === undefined,
      document,
      actionsAdded,
      validatedBy: validation.byAccessAnalyzer ? 'access-analyzer' : 'local',
    });
  }
  return result;
}

/** The mapping as it will be once the merged policies are written (new files referenced). */
export function mappingWithMergedFiles(mapping: Mapping, merged: MergedPolicy[]): Mapping {
  const permissionSets = { ...mapping.permissionSets };
  for (const m of merged) {
    const entry = permissionSets[m.permissionSet];
    if (entry) permissionSets[m.permissionSet] = { ...entry, inlinePolicyFile: m.file };
  }
  return { ...mapping, permissionSets };
}

/**
 * Writes the merged policies, points mapping.yaml at new files (comments kept), and marks the sets
 * ready in workspace.json. The policy manifest is left alone on purpose: a merged file counts as the
 * operator's edit, so `generate-policies` keeps it rather than regenerating over it.
 */
export async function writeMergedPolicies(
  workspace: Workspace,
  merged: MergedPolicy[],
  mappingDocument: Document,
  now: Date,
): Promise<string[]> {
  const written: string[] = [];
  for (const m of merged) written.push(await workspace.writeText(m.file, renderPolicyFile(m.document)));
  const newFiles = merged.filter((m) => m.newFile);
  for (const m of newFiles) mappingDocument.setIn(['permissionSets', m.permissionSet, 'inlinePolicyFile'], m.file);
  if (newFiles.length > 0) written.push(await workspace.writeText(MAPPING_FILE, renderMappingDocument(mappingDocument)));
  await workspace.updateState({ phase: 'policies', update: (previous) => withReadySets(previous, merged, now) });
  return written;
}

type PolicyRecord = NonNullable<WorkspaceState['phases']['policies']>;

function withReadySets(previous: PolicyRecord | undefined, merged: MergedPolicy[], now: Date): PolicyRecord {
  const policies = previous ?? { lastRunAt: now.toISOString(), sets: {} };
  const sets = { ...policies.sets };
  for (const m of merged) {
    sets[m.permissionSet] = { ready: true, basis: sets[m.permissionSet]?.basis ?? 'granted', validatedBy: m.validatedBy, inlinePolicyFile: m.file };
  }
  return { ...policies, sets };
}

/** Whether an unconditional Allow already grants the action (by name or wildcard, on any resource): such actions are not listed as added. */
function grants(statements: ReturnType<typeof statementsOf>, action: string): boolean {
  return statements.some(
    (s) => s.Effect === 'Allow' && s.Condition === undefined && [s.Action ?? []].flat().some((pattern) => matchesActionPattern(pattern, action)),
  );
}
