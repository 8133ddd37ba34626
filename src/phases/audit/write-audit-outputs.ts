import YAML from 'yaml';
import { say, type IoHost } from '../../io/io-host.js';
import { MAPPING_FILE, renderMappingDocument } from '../../workspace/mapping-file.js';
import { AUDIT_FILE } from '../../workspace/audit-file.js';
import type { Workspace } from '../../workspace/workspace.js';
import { draftMapping } from './draft-mapping.js';
import { mergeMapping } from './merge-mapping.js';
import { renderAuditMarkdown } from './render-audit-markdown.js';
import type { AuditSnapshot } from '../../model/inventory.js';

export const AUDIT_REPORT_FILE = 'reports/audit.md';

export interface MappingUpdate {
  path: string;
  /** true when this run wrote the first draft. */
  created: boolean;
  /** false when the existing file could not be parsed and was left untouched. */
  updated: boolean;
  added: string[];
  removed: string[];
}

export interface AuditOutputs {
  files: string[];
  mapping: MappingUpdate;
}

/**
 * Writes the audit's files: the snapshot, the markdown report and the mapping (a commented draft
 * the first time; afterwards the operator's file, with only new and vanished users flagged).
 */
export async function writeAuditOutputs(workspace: Workspace, snapshot: AuditSnapshot, io: IoHost): Promise<AuditOutputs> {
  const previousUserNames = await readPreviousUserNames(workspace);
  const mapping = await updateMapping(workspace, snapshot, previousUserNames, io);
  const files = [
    await workspace.writeJson(AUDIT_FILE, snapshot),
    await workspace.writeText(AUDIT_REPORT_FILE, renderAuditMarkdown(snapshot)),
  ];
  if (mapping.updated) files.push(mapping.path);
  const [instance] = snapshot.identityCenter?.instances ?? [];
  await workspace.updateState(
    { identityCenter: (recorded) => recorded ?? (instance ? { instanceArn: instance.instanceArn, identityStoreId: instance.identityStoreId, region: instance.region } : null) },
    { phase: 'audit', update: () => ({ lastRunAt: snapshot.generatedAt, userCount: snapshot.users.length }) },
  );
  return { files, mapping };
}

async function readPreviousUserNames(workspace: Workspace): Promise<string[] | undefined> {
  const text = await workspace.readText(AUDIT_FILE);
  if (text === null) return undefined;
  try {
    const previous = JSON.parse(text) as Partial<AuditSnapshot>;
    return previous.users?.map((u) => u.userName);
  } catch {
    return undefined;
  }
}

async function updateMapping(
  workspace: Workspace,
  snapshot: AuditSnapshot,
  previousUserNames: string[] | undefined,
  io: IoHost,
): Promise<MappingUpdate> {
  const path = workspace.resolve(MAPPING_FILE);
  const existing = await workspace.readText(MAPPING_FILE);
  if (existing === null) {
    await workspace.writeText(MAPPING_FILE, renderMappingDocument(draftMapping(snapshot)));
    return { path, created: true, updated: true, added: snapshot.users.map((u) => u.userName), removed: [] };
  }
  const document = YAML.parseDocument(existing);
  if (document.errors.length > 0) {
    // Never overwrite an operator's file that we cannot read back faithfully.
    say.warn(io, 'AUDIT_MAPPING_UNREADABLE', `${path} has a YAML error and was left as it is: ${document.errors[0]?.message ?? ''}`);
    return { path, created: false, updated: false, added: [], removed: [] };
  }
  const merged = mergeMapping(document, snapshot, previousUserNames);
  if (merged.changed) await workspace.writeText(MAPPING_FILE, renderMappingDocument(merged.document));
  return { path, created: false, updated: merged.changed, added: merged.added, removed: merged.removed };
}
