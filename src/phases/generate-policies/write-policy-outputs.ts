import { parse, type Document } from 'yaml';
import { MAPPING_FILE, renderMappingDocument } from '../../workspace/mapping-file.js';
import { planPolicyFileWrite, POLICY_MANIFEST_FILE, type PolicyFileManifest } from '../../workspace/policy-files.js';
import type { Workspace } from '../../workspace/workspace.js';
import type { PolicyDocument } from '../../model/inventory.js';
import type { PolicySetResult } from './policy-set-result.js';
import { renderPoliciesMarkdown } from './render-policies-markdown.js';
import type { FidelitySplit } from './split-for-fidelity.js';

export const POLICIES_REPORT_FILE = 'reports/policies.md';

/** A permission set's files as they should be on disk. */
export interface PolicySetFiles {
  result: PolicySetResult;
  inlinePolicy: PolicyDocument | null;
  overflow: { file: string; document: PolicyDocument }[];
  /** The policy file was edited by hand and is kept: neither it nor the set's mapping entry is touched. */
  keep: boolean;
}

/** One workspace file of the outputs, and how it compares with what is on disk. */
export interface FileChange {
  /** Relative to the workspace. */
  path: string;
  change: 'create' | 'update' | 'unchanged';
}

/** A permission set entry of mapping.yaml that the outputs add, change or (after a split) leave out. */
export interface MappingChange {
  permissionSet: string;
  change: 'added' | 'changed';
  /** The entry's keys whose value changes. */
  fields: string[];
}

/** Every file the outputs consist of, with its content; nothing is written yet. */
export interface PlannedPolicyOutputs {
  writes: { path: string; content: string; change: FileChange['change'] }[];
  mappingChanges: MappingChange[];
}

export interface PolicyOutputs {
  /** Policy files written (absolute); empty when nothing was written. */
  files: string[];
  mappingPath: string;
  reportPath: string;
  /** Each output file and whether it is (or, on a dry-run, would be) created, updated or left as it is. */
  changes: FileChange[];
  mappingChanges: MappingChange[];
}

/**
 * Works out the policy files, mapping.yaml (each permission set pointed at its files; comments and
 * the operator's other edits survive), the manifest of what the tool wrote, and the report, as
 * they should be, compared with the workspace. Reads only: `writePlannedOutputs` writes them.
 */
export async function planPolicyOutputs(
  workspace: Workspace,
  sets: PolicySetFiles[],
  mapping: Document,
  manifest: PolicyFileManifest,
  report: { generatedAt: string; activity: string; splits?: readonly FidelitySplit[] },
): Promise<PlannedPolicyOutputs> {
  const contents: { path: string; content: string }[] = [];
  const nextManifest: PolicyFileManifest = { ...manifest };
  for (const set of sets) {
    if (set.keep) continue;
    const { result } = set;
    if (set.inlinePolicy && result.inlinePolicyFile) contents.push(planPolicyFileWrite(result.inlinePolicyFile, set.inlinePolicy, nextManifest));
    for (const overflow of set.overflow) contents.push(planPolicyFileWrite(overflow.file, overflow.document, nextManifest));
  }
  const mappingBefore = await workspace.readText(MAPPING_FILE);
  for (const set of sets) if (!set.keep) updateMappingEntry(mapping, set.result);
  contents.push(
    { path: POLICY_MANIFEST_FILE, content: `${JSON.stringify(nextManifest, null, 2)}\n` },
    { path: MAPPING_FILE, content: renderMappingDocument(mapping) },
    { path: POLICIES_REPORT_FILE, content: renderPoliciesMarkdown(sets.map((s) => s.result), report.generatedAt, report.activity, report.splits ?? []) },
  );
  const writes: PlannedPolicyOutputs['writes'] = [];
  for (const entry of contents) {
    const before = entry.path === MAPPING_FILE ? mappingBefore : await workspace.readText(entry.path);
    writes.push({ ...entry, change: before === null ? 'create' : before === entry.content ? 'unchanged' : 'update' });
  }
  return { writes, mappingChanges: compareMapping(mappingBefore, mapping) };
}

/** Writes what `planPolicyOutputs` worked out, each file atomically. */
export async function writePlannedOutputs(workspace: Workspace, planned: PlannedPolicyOutputs): Promise<PolicyOutputs> {
  const written = new Map<string, string>();
  for (const entry of planned.writes) written.set(entry.path, await workspace.writeText(entry.path, entry.content));
  return describeOutputs(workspace, planned, (path) => written.get(path));
}

/** The outputs as a dry-run reports them: what a real run would write, with nothing written. */
export function describePlannedOutputs(workspace: Workspace, planned: PlannedPolicyOutputs): PolicyOutputs {
  return describeOutputs(workspace, planned, () => undefined);
}

function describeOutputs(workspace: Workspace, planned: PlannedPolicyOutputs, writtenAt: (path: string) => string | undefined): PolicyOutputs {
  const bookkeeping = new Set<string>([POLICY_MANIFEST_FILE, MAPPING_FILE, POLICIES_REPORT_FILE]);
  return {
    files: planned.writes.filter((w) => !bookkeeping.has(w.path)).flatMap((w) => writtenAt(w.path) ?? []),
    mappingPath: workspace.resolve(MAPPING_FILE),
    reportPath: workspace.resolve(POLICIES_REPORT_FILE),
    changes: planned.writes.map(({ path, change }) => ({ path, change })),
    mappingChanges: planned.mappingChanges,
  };
}

function updateMappingEntry(mapping: Document, result: PolicySetResult): void {
  const path = ['permissionSets', result.name];
  mapping.setIn([...path, 'managedPolicies'], mapping.createNode(result.managedPolicies));
  mapping.setIn([...path, 'customerManagedPolicies'], mapping.createNode(result.customerManagedPolicies));
  if (result.permissionsBoundary !== undefined) mapping.setIn([...path, 'permissionsBoundary'], mapping.createNode(result.permissionsBoundary));
  if (result.inlinePolicyFile) mapping.setIn([...path, 'inlinePolicyFile'], result.inlinePolicyFile);
  else mapping.deleteIn([...path, 'inlinePolicyFile']);
}

/** Which permission set entries differ between mapping.yaml on disk and the document as it would be saved. */
function compareMapping(before: string | null, after: Document): MappingChange[] {
  const setsOf = (value: unknown) => ((value as { permissionSets?: Record<string, Record<string, unknown>> } | null)?.permissionSets ?? {});
  const old = setsOf(before === null ? null : (parse(before) as unknown));
  const next = setsOf(after.toJS());
  const changes: MappingChange[] = [];
  for (const [name, entry] of Object.entries(next)) {
    const previous = old[name];
    if (previous === undefined) {
      changes.push({ permissionSet: name, change: 'added', fields: Object.keys(entry ?? {}).sort() });
      continue;
    }
    const keys = new Set([...Object.keys(previous ?? {}), ...Object.keys(entry ?? {})]);
    const fields = [...keys].filter((key) => JSON.stringify(previous?.[key]) !== JSON.stringify(entry?.[key])).sort();
    if (fields.length > 0) changes.push({ permissionSet: name, change: 'changed', fields });
  }
  return changes.sort((a, b) => a.permissionSet.localeCompare(b.permissionSet));
}
