import type { Document } from 'yaml';
import { readPolicyFile, readPolicyManifest, type PolicyFileManifest, type PolicyFileState } from '../../workspace/policy-files.js';
import type { Mapping } from '../../workspace/mapping-schema.js';
import type { Workspace } from '../../workspace/workspace.js';
import { UserError } from '../../errors.js';
import type { AuditSnapshot } from '../../model/inventory.js';
import { libraryOfSnapshot, planPolicySets, type PolicySetDraft } from './plan-policy-sets.js';
import { splitForFidelity, type FidelitySplit } from './split-for-fidelity.js';
import { MAPPING_FILE } from '../../workspace/mapping-file.js';

/** A permission set ready to be generated: its draft and the state of its policy file on disk. */
export interface PreparedPolicySet {
  draft: PolicySetDraft;
  inlinePolicyFile: string;
  existing: PolicyFileState;
}

export interface PreparedPolicyGeneration {
  snapshot: AuditSnapshot;
  mapping: Mapping;
  mappingDocument: Document;
  manifest: PolicyFileManifest;
  sets: PreparedPolicySet[];
  /** Sets split so that each carries the Denies and boundary of exactly its people (mapping.yaml changes with them). */
  splits: FidelitySplit[];
}

/**
 * Everything generate-policies can check without AWS: the permission sets exist, their sources are
 * in the audit, and every existing policy file is a readable policy. A problem is a usage error
 * (exit 2) before the first AWS call.
 */
export async function preparePolicyGeneration(
  workspace: Workspace,
  inputs: { snapshot: AuditSnapshot; mapping: Mapping; mappingDocument: Document },
  only?: string[],
  activityUsers?: string[],
): Promise<PreparedPolicyGeneration> {
  const known = new Set(inputs.snapshot.users.map((u) => u.userName));
  const strangers = (activityUsers ?? []).filter((name) => !known.has(name));
  if (strangers.length > 0) {
    throw new UserError(
      'UNKNOWN_USER',
      `--users names IAM users that the audit does not know: ${strangers.join(', ')}.`,
      'Check the names (they are case-sensitive), or re-run `iam2idc audit` if the users are new.',
    );
  }
  const unknown = (only ?? []).filter((name) => !(name in inputs.mapping.permissionSets));
  if (unknown.length > 0) {
    throw new UserError(
      'UNKNOWN_PERMISSION_SET',
      `--permission-sets names sets that mapping.yaml does not have: ${unknown.join(', ')}.`,
      `Use names from permissionSets in ${workspace.resolve(MAPPING_FILE)}: ${Object.keys(inputs.mapping.permissionSets).join(', ') || '(none)'}.`,
    );
  }
  const manifest = await readPolicyManifest(workspace);
  const { mapping, splits, blocked } = splitForFidelity(inputs.snapshot, inputs.mapping, inputs.mappingDocument, libraryOfSnapshot(inputs.snapshot), only);
  const wanted = only ? [...only, ...splits.filter((s) => only.includes(s.from)).map((s) => s.to)] : undefined;
  const sets: PreparedPolicySet[] = [];
  for (const draft of planPolicySets(inputs.snapshot, mapping, { only: wanted, blocked })) {
    const inlinePolicyFile = mapping.permissionSets[draft.name]?.inlinePolicyFile ?? `policies/${draft.name}.json`;
    sets.push({ draft, inlinePolicyFile, existing: await readPolicyFile(workspace, inlinePolicyFile, manifest) });
  }
  return { ...inputs, mapping, manifest, sets, splits };
}
