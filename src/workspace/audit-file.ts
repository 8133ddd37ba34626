import { UserError } from '../errors.js';
import { AUDIT_SCHEMA_VERSION, type AuditSnapshot } from '../model/inventory.js';
import type { Workspace } from './workspace.js';

export const AUDIT_FILE = 'audit.json';

/**
 * Reads the audit snapshot every later phase starts from. Its shape is the tool's own output, so
 * only what a hand edit or another version could break is checked: the version and the sections.
 */
export async function readAuditSnapshot(workspace: Workspace): Promise<AuditSnapshot> {
  const file = workspace.resolve(AUDIT_FILE);
  const text = await workspace.readText(AUDIT_FILE);
  if (text === null) {
    throw new UserError('AUDIT_MISSING', `No audit in ${workspace.dir} (${file} is missing).`, 'Run `iam2idc audit` first: every later phase starts from its inventory.');
  }
  let parsed: Partial<AuditSnapshot>;
  try {
    parsed = JSON.parse(text) as Partial<AuditSnapshot>;
  } catch (error) {
    throw new UserError('AUDIT_INVALID', `${file} is not valid JSON: ${(error as Error).message}`, 'Run `iam2idc audit` again to rewrite it.');
  }
  if (parsed.schemaVersion !== AUDIT_SCHEMA_VERSION) {
    throw new UserError(
      'AUDIT_INVALID',
      `${file}: schemaVersion is ${String(parsed.schemaVersion)}, this version of iam2idc reads ${AUDIT_SCHEMA_VERSION}.`,
      'Run `iam2idc audit` again to rewrite it in the current format.',
    );
  }
  for (const section of ['users', 'groups', 'roles', 'managedPolicies'] as const) {
    if (!Array.isArray(parsed[section])) {
      throw new UserError('AUDIT_INVALID', `${file}: ${section} is missing or not a list.`, 'Run `iam2idc audit` again to rewrite it.');
    }
  }
  return parsed as AuditSnapshot;
}
