import { Iam2idcError, UserError } from '../../errors.js';
import { PERMISSION_SET_NAME_PATTERN, sessionDurationSeconds, type Mapping, type MappingPermissionSet } from '../../workspace/mapping-schema.js';
import type { PolicyDocument } from '../../model/inventory.js';
import { countPolicyChars } from '../../model/policy-size.js';
import { customerManagedKey } from './permission-set-actions.js';
import { renderInlinePolicyText } from './compare-policies.js';
import type { DesiredPermissionSet } from './types.js';
import { MAPPING_FILE } from '../../workspace/mapping-file.js';


/** Identity Center's limits on a permission set (IAM Identity Center quotas and API reference). */
export const PERMISSION_SET_LIMITS = {
  descriptionMaxLength: 700,
  minSessionSeconds: 3_600,
  maxSessionSeconds: 43_200,
  /** Non-white-space characters, counted by `countPolicyChars`. */
  inlinePolicyMaxChars: 10_240,
  /** The API's own bound on the text sent. */
  inlinePolicyMaxBytes: 32_768,
  /** AWS-managed plus customer-managed attachments. */
  maxAttachments: 20,
} as const;

/** `CreatePermissionSet` and `UpdatePermissionSet` accept only tab, line breaks, U+0020–U+007E and U+00A1–U+00FF in a description. */
function isDescriptionText(text: string): boolean {
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    const ok = code === 0x09 || code === 0x0a || code === 0x0d || (code >= 0x20 && code <= 0x7e) || (code >= 0xa1 && code <= 0xff);
    if (!ok) return false;
  }
  return true;
}

export type PermissionSetProblemCode = 'PERMISSION_SET_INVALID' | 'POLICY_FILE_MISSING' | 'POLICY_NOT_READY';

/** One thing wrong with one set, located by file and field. */
export interface PermissionSetProblem {
  code: PermissionSetProblemCode;
  /** `mapping.yaml` or the policy file, relative to the workspace. */
  file: string;
  /** e.g. `permissionSets.Developers.sessionDuration`. */
  field: string;
  message: string;
}

/** Every problem found in the permission sets, thrown before any AWS call (exit 2). */
export class PermissionSetInputError extends UserError {
  constructor(
    code: PermissionSetProblemCode,
    readonly problems: PermissionSetProblem[],
  ) {
    super(code, `The permission sets cannot be created as described:\n${problems.map((p) => `  - ${p.file}: ${p.field}: ${p.message}`).join('\n')}`, RESOLUTIONS[code]);
  }
}

const RESOLUTIONS: Record<PermissionSetProblemCode, string> = {
  POLICY_NOT_READY: 'Fix the findings that generate-policies reported for these sets (see reports/), then run `iam2idc generate-policies` again.',
  POLICY_FILE_MISSING: 'Run `iam2idc generate-policies` to write the policy files, or correct inlinePolicyFile in mapping.yaml.',
  PERMISSION_SET_INVALID: 'Correct each field named above, then run the command again.',
};

/** Reads a policy file relative to the workspace; null when it does not exist. */
export type ReadPolicy = (relativePath: string) => Promise<PolicyDocument | null>;

export interface ReadDesiredOptions {
  /** Only these sets (by name); every name must be a set of the mapping. */
  only?: string[];
  /** Per set, whether generate-policies found its policy fit to use. A set it marked not ready is refused. */
  policyStatus?: Record<string, { ready: boolean }>;
}

/**
 * The permission sets the mapping and the policy files describe, checked against Identity Center's
 * limits before any AWS call. Problems are collected across all the sets, so that one run shows
 * everything to fix; the error's code is that of the most basic kind found (a policy not ready,
 * then a missing file, then an invalid field).
 */
export async function readDesiredPermissionSets(mapping: Mapping, readPolicy: ReadPolicy, options: ReadDesiredOptions = {}): Promise<DesiredPermissionSet[]> {
  const names = selectNames(mapping, options.only);
  const problems: PermissionSetProblem[] = [];
  const sets: DesiredPermissionSet[] = [];
  for (const name of names) {
    const entry = mapping.permissionSets[name] as MappingPermissionSet;
    const found = checkEntry(name, entry);
    if (options.policyStatus?.[name]?.ready === false) {
      found.push({ code: 'POLICY_NOT_READY', file: MAPPING_FILE, field: fieldOf(name), message: 'its policy did not pass validation in generate-policies' });
    }
    const inline = await readInlinePolicy(name, entry, readPolicy, found);
    problems.push(...found);
    if (found.length > 0) continue;
    sets.push({
      name,
      description: entry.description === undefined || entry.description === '' ? null : entry.description,
      sessionDuration: entry.sessionDuration,
      managedPolicies: [...new Set(entry.managedPolicies)],
      customerManagedPolicies: uniqueReferences(entry.customerManagedPolicies),
      inlinePolicy: inline,
      permissionsBoundary: entry.permissionsBoundary,
      tags: tagsOf(entry),
    });
  }
  if (problems.length > 0) {
    const code = (['POLICY_NOT_READY', 'POLICY_FILE_MISSING', 'PERMISSION_SET_INVALID'] as const).find((c) => problems.some((p) => p.code === c)) ?? 'PERMISSION_SET_INVALID';
    throw new PermissionSetInputError(code, problems);
  }
  return sets;
}

function selectNames(mapping: Mapping, only: string[] | undefined): string[] {
  const all = Object.keys(mapping.permissionSets);
  if (only === undefined) return all;
  const unknown = only.filter((name) => !(name in mapping.permissionSets));
  if (unknown.length > 0) {
    throw new UserError(
      'PERMISSION_SET_UNKNOWN',
      `${unknown.join(', ')} ${unknown.length === 1 ? 'is not a permission set' : 'are not permission sets'} of ${MAPPING_FILE}.`,
      `Name sets that ${MAPPING_FILE} lists under permissionSets: ${all.join(', ') || '(none)'}.`,
    );
  }
  const wanted = new Set(only);
  return all.filter((name) => wanted.has(name));
}

const fieldOf = (name: string, key?: string) => (key === undefined ? `permissionSets.${name}` : `permissionSets.${name}.${key}`);

/** The limits that mapping.yaml alone decides. The schema checks most of them too; this holds whatever the source. */
function checkEntry(name: string, entry: MappingPermissionSet): PermissionSetProblem[] {
  const problems: PermissionSetProblem[] = [];
  const invalid = (key: string | undefined, message: string) => problems.push({ code: 'PERMISSION_SET_INVALID', file: MAPPING_FILE, field: fieldOf(name, key), message });
  if (!PERMISSION_SET_NAME_PATTERN.test(name)) invalid(undefined, 'the name must be 1–32 characters of letters, digits and + = , . @ _ -');
  const description = entry.description ?? '';
  if (description.length > PERMISSION_SET_LIMITS.descriptionMaxLength) {
    invalid('description', `has ${description.length} characters; at most ${PERMISSION_SET_LIMITS.descriptionMaxLength} are allowed`);
  } else if (!isDescriptionText(description)) {
    invalid('description', 'may only hold printable Latin-1 characters, tabs and line breaks');
  }
  const seconds = sessionDurationSeconds(entry.sessionDuration);
  if (seconds === null || seconds < PERMISSION_SET_LIMITS.minSessionSeconds || seconds > PERMISSION_SET_LIMITS.maxSessionSeconds) {
    invalid('sessionDuration', `${entry.sessionDuration} is not an ISO-8601 duration from PT1H to PT12H`);
  }
  const attached = new Set(entry.managedPolicies).size + uniqueReferences(entry.customerManagedPolicies).length;
  if (attached > PERMISSION_SET_LIMITS.maxAttachments) {
    invalid('managedPolicies', `with customerManagedPolicies attaches ${attached} policies; at most ${PERMISSION_SET_LIMITS.maxAttachments} are allowed`);
  }
  return problems;
}

async function readInlinePolicy(name: string, entry: MappingPermissionSet, readPolicy: ReadPolicy, problems: PermissionSetProblem[]): Promise<PolicyDocument | null> {
  const file = entry.inlinePolicyFile;
  if (file === undefined) return null;
  let document: PolicyDocument | null;
  try {
    document = await readPolicy(file);
  } catch (error) {
    // A file that is not a policy is one more problem to list, not a reason to stop looking at the others.
    if (!(error instanceof Iam2idcError)) throw error;
    problems.push({ code: 'PERMISSION_SET_INVALID', file, field: fieldOf(name, 'inlinePolicyFile'), message: error.message });
    return null;
  }
  if (document === null) {
    problems.push({ code: 'POLICY_FILE_MISSING', file, field: fieldOf(name, 'inlinePolicyFile'), message: 'the file does not exist' });
    return null;
  }
  const chars = countPolicyChars(document);
  if (chars > PERMISSION_SET_LIMITS.inlinePolicyMaxChars) {
    problems.push({ code: 'PERMISSION_SET_INVALID', file, field: fieldOf(name, 'inlinePolicyFile'), message: `the policy has ${chars} characters (white space aside); at most ${PERMISSION_SET_LIMITS.inlinePolicyMaxChars} are allowed` });
  }
  const bytes = Buffer.byteLength(renderInlinePolicyText(document), 'utf8');
  if (bytes > PERMISSION_SET_LIMITS.inlinePolicyMaxBytes) {
    problems.push({ code: 'PERMISSION_SET_INVALID', file, field: fieldOf(name, 'inlinePolicyFile'), message: `the policy is ${bytes} bytes once minified; at most ${PERMISSION_SET_LIMITS.inlinePolicyMaxBytes} are allowed` });
  }
  return document;
}

function uniqueReferences(refs: { name: string; path: string }[]): { name: string; path: string }[] {
  const byKey = new Map(refs.map((r) => [customerManagedKey(r), { name: r.name, path: r.path }]));
  return [...byKey.values()];
}

/**
 * Provenance tags: which IAM group or user the set came from, and that the tool manages it. IAM names
 * may hold a comma, which Identity Center refuses in a tag value, so it becomes `_`.
 */
function tagsOf(entry: MappingPermissionSet): Record<string, string> {
  const tags: Record<string, string> = { 'iam2idc:managed': 'true' };
  const clean = (value: string) => value.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, '_');
  if (entry.source?.group !== undefined) tags['iam2idc:source'] = clean(`group:${entry.source.group}`);
  else if (entry.source?.user !== undefined) tags['iam2idc:source'] = clean(`user:${entry.source.user}`);
  return tags;
}
