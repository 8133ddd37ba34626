import type { Document } from 'yaml';
import { MAPPING_FILE, renderMappingDocument } from '../../workspace/mapping-file.js';
import { writePolicyFile, writePolicyManifest, type PolicyFileManifest } from '../../workspace/policy-files.js';
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

export interface PolicyOutputs {
  files: string[];
  mappingPath: string;
  reportPath: string;
}

/**
 * Writes the policy files, points each permission set of mapping.yaml at them (comments and the
 * operator's other edits survive), records what was written, and writes the report.
 */
export async function writePolicyOutputs(
  workspace: Workspace,
  sets: PolicySetFiles[],
  mapping: Document,
  manifest: PolicyFileManifest,
  report: { generatedAt: string; activity: string; splits?: readonly FidelitySplit[] },
): Promise<PolicyOutputs> {
  const files: string[] = [];
  for (const set of sets) {
    if (set.keep) continue;
    const { result } = set;
    if (set.inlinePolicy && result.inlinePolicyFile) {
      files.push(await writePolicyFile(workspace, result.inlinePolicyFile, set.inlinePolicy, manifest));
    }
    for (const overflow of set.overflow) files.push(await writePolicyFile(workspace, overflow.file, overflow.document, manifest));
    updateMappingEntry(mapping, result);
  }
  await writePolicyManifest(workspace, manifest);
  const mappingPath = await workspace.writeText(MAPPING_FILE, renderMappingDocument(mapping));
  const reportPath = await workspace.writeText(
    POLICIES_REPORT_FILE,
    renderPoliciesMarkdown(
      sets.map((s) => s.result),
      report.generatedAt,
      report.activity,
      report.splits ?? [],
    ),
  );
  return { files, mappingPath, reportPath };
}

function updateMappingEntry(mapping: Document, result: PolicySetResult): void {
  const path = ['permissionSets', result.name];
  mapping.setIn([...path, 'managedPolicies'], mapping.createNode(result.managedPolicies));
  mapping.setIn([...path, 'customerManagedPolicies'], mapping.createNode(result.customerManagedPolicies));
  if (result.permissionsBoundary !== undefined) mapping.setIn([...path, 'permissionsBoundary'], mapping.createNode(result.permissionsBoundary));
  if (result.inlinePolicyFile) mapping.setIn([...path, 'inlinePolicyFile'], result.inlinePolicyFile);
  else mapping.deleteIn([...path, 'inlinePolicyFile']);
}
