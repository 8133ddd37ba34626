import { createHash } from 'node:crypto';
import { UserError } from '../errors.js';
import type { PolicyDocument } from '../model/inventory.js';
import type { Workspace } from './workspace.js';

/** Where the tool records what it last wrote to each policy file, to tell operator edits apart. */
export const POLICY_MANIFEST_FILE = 'policies/.generated.json';

export type PolicyFileManifest = Record<string, string>;

export interface PolicyFileState {
  /** Path relative to the workspace. */
  path: string;
  document: PolicyDocument | null;
  /** true when the file differs from what the tool last wrote: the operator edited it. */
  editedByOperator: boolean;
}

const digest = (text: string) => createHash('sha256').update(text).digest('hex');

export function renderPolicyFile(document: PolicyDocument): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

export async function readPolicyManifest(workspace: Workspace): Promise<PolicyFileManifest> {
  const text = await workspace.readText(POLICY_MANIFEST_FILE);
  if (text === null) return {};
  try {
    const parsed = JSON.parse(text) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as PolicyFileManifest) : {};
  } catch {
    // A damaged manifest only means every existing file is treated as the operator's.
    return {};
  }
}

/**
 * Reads a policy file of the workspace. A file that is not JSON, or not a policy document, is a
 * usage error naming the file and the field, raised before any AWS call.
 */
export async function readPolicyFile(workspace: Workspace, path: string, manifest: PolicyFileManifest): Promise<PolicyFileState> {
  const text = await workspace.readText(path);
  if (text === null) return { path, document: null, editedByOperator: false };
  const file = workspace.resolve(path);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UserError('POLICY_FILE_INVALID', `${file} is not valid JSON: ${(error as Error).message}`, `Fix the JSON in ${file}, or delete it and re-run with --regenerate.`);
  }
  const problem = describeShapeProblem(parsed);
  if (problem) {
    throw new UserError('POLICY_FILE_INVALID', `${file} is not a policy document: ${problem}.`, `Fix ${file} (an IAM policy: { "Version": "2012-10-17", "Statement": [...] }), or delete it and re-run with --regenerate.`);
  }
  return { path, document: parsed as PolicyDocument, editedByOperator: manifest[path] !== digest(text) };
}

/** A policy file's content as the tool writes it, with its digest recorded in `manifest` (nothing is written). */
export function planPolicyFileWrite(path: string, document: PolicyDocument, manifest: PolicyFileManifest): { path: string; content: string } {
  const content = renderPolicyFile(document);
  manifest[path] = digest(content);
  return { path, content };
}

/** Writes a policy file and records its digest, so the next run can tell whether it was edited. */
export async function writePolicyFile(workspace: Workspace, path: string, document: PolicyDocument, manifest: PolicyFileManifest): Promise<string> {
  const text = renderPolicyFile(document);
  const written = await workspace.writeText(path, text);
  manifest[path] = digest(text);
  return written;
}

export async function writePolicyManifest(workspace: Workspace, manifest: PolicyFileManifest): Promise<void> {
  await workspace.writeJson(POLICY_MANIFEST_FILE, manifest);
}

function describeShapeProblem(value: unknown): string | null {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return 'the top level must be an object';
  const statements = (value as { Statement?: unknown }).Statement;
  if (statements === undefined) return 'Statement is missing';
  const list = Array.isArray(statements) ? statements : [statements];
  for (const [index, statement] of list.entries()) {
    if (!statement || typeof statement !== 'object') return `Statement[${index}] must be an object`;
    const effect = (statement as { Effect?: unknown }).Effect;
    if (effect !== 'Allow' && effect !== 'Deny') return `Statement[${index}].Effect must be Allow or Deny`;
  }
  return null;
}

/** The inline policy of every permission set of the mapping that has one, by set name. */
export async function readPermissionSetPolicies(workspace: Workspace, permissionSets: Record<string, { inlinePolicyFile?: string }>): Promise<Map<string, PolicyDocument>> {
  const manifest = await readPolicyManifest(workspace);
  const policies = new Map<string, PolicyDocument>();
  for (const [name, set] of Object.entries(permissionSets)) {
    if (set.inlinePolicyFile === undefined) continue;
    const document = (await readPolicyFile(workspace, set.inlinePolicyFile, manifest)).document;
    if (document) policies.set(name, document);
  }
  return policies;
}

