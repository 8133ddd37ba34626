/**
 * What can be checked about an identity policy without AWS: used instead of Access Analyzer's
 * `ValidatePolicy` when it cannot be reached, and on files an operator edited by hand.
 *
 * The rules follow IAM's own grammar and quotas:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
 * https://docs.aws.amazon.com/singlesignon/latest/userguide/limits.html (inline policy size)
 * Findings use Access Analyzer's severities; codes are stable.
 */
import { expandActionPattern, isKnownAction } from '../../model/iam-actions/action-catalog.js';
import { countJsonValueChars, countPolicyChars } from '../../model/policy-size.js';
import { PERMISSION_SET_LIMITS, type FindingSeverity, type ValidationFinding } from './types.js';

/** The stable codes of the local checks. */
export type LocalCheckCode =
  | 'INVALID_JSON'
  | 'POLICY_NOT_OBJECT'
  | 'UNKNOWN_ELEMENT'
  | 'MISSING_VERSION'
  | 'LEGACY_VERSION'
  | 'INVALID_VERSION'
  | 'MISSING_STATEMENT'
  | 'EMPTY_STATEMENT'
  | 'INVALID_STATEMENT'
  | 'INVALID_SID'
  | 'DUPLICATE_SID'
  | 'MISSING_EFFECT'
  | 'INVALID_EFFECT'
  | 'MISSING_ACTION'
  | 'ACTION_AND_NOT_ACTION'
  | 'INVALID_ACTION'
  | 'UNKNOWN_ACTION'
  | 'ALLOW_ALL_ACTIONS'
  | 'MISSING_RESOURCE'
  | 'RESOURCE_AND_NOT_RESOURCE'
  | 'INVALID_RESOURCE'
  | 'PRINCIPAL_IN_IDENTITY_POLICY'
  | 'INVALID_CONDITION'
  | 'POLICY_TOO_LARGE';

export interface LocalCheckOptions {
  /** Non-whitespace characters allowed; defaults to a permission set's inline policy quota (10,240). */
  maxChars?: number;
}

type JsonObject = Record<string, unknown>;

const TOP_LEVEL_ELEMENTS = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_ELEMENTS = new Set(['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition', 'Principal', 'NotPrincipal']);
// IAM rejects other characters: "Statement IDs (SID) must be alpha-numeric".
const SID_PATTERN = /^[A-Za-z0-9]*$/;

/**
 * Checks an identity policy (a parsed document, or the JSON text of one) and returns the findings
 * in document order; an empty list means nothing was found. Findings carry `source: 'local'` and
 * the location of the element, e.g. `Statement[0].Action[2]`.
 */
export async function checkPolicyLocally(document: unknown, options: LocalCheckOptions = {}): Promise<ValidationFinding[]> {
  const findings: ValidationFinding[] = [];
  const report = (severity: FindingSeverity, code: LocalCheckCode, message: string, location: string | null = null) =>
    findings.push({ severity, code, message, location, source: 'local' });

  let policy = document;
  if (typeof document === 'string') {
    try {
      policy = JSON.parse(document) as unknown;
    } catch {
      report('ERROR', 'INVALID_JSON', 'The policy is not valid JSON.');
      return findings;
    }
  }
  if (!isJsonObject(policy)) {
    report('ERROR', 'POLICY_NOT_OBJECT', 'A policy must be a JSON object with Version and Statement.');
    return findings;
  }
  checkTopLevel(policy, report);
  const seenSids = new Set<string>();
  for (const { statement, path } of statementEntries(policy.Statement)) {
    await checkStatement(statement, path, seenSids, report);
  }
  // Measured like the packer measures (policy-size.ts), so that what it packs passes here.
  const size = typeof document === 'string' ? countPolicyChars(document) : countJsonValueChars(policy);
  checkSize(size, options.maxChars, report);
  return findings;
}

type Report = (severity: FindingSeverity, code: LocalCheckCode, message: string, location?: string | null) => void;

function checkTopLevel(policy: JsonObject, report: Report): void {
  for (const key of Object.keys(policy)) {
    if (!TOP_LEVEL_ELEMENTS.has(key)) report('ERROR', 'UNKNOWN_ELEMENT', `Unknown policy element "${key}".`, key);
  }
  const version = policy.Version;
  if (version === undefined) {
    // IAM accepts it, but applies 2008-10-17, where policy variables such as ${aws:username} stay literal.
    report('WARNING', 'MISSING_VERSION', 'Version is missing; IAM then applies 2008-10-17. Add "Version": "2012-10-17".', 'Version');
  } else if (version === '2008-10-17') {
    report('WARNING', 'LEGACY_VERSION', 'Version 2008-10-17 does not support policy variables; use 2012-10-17.', 'Version');
  } else if (version !== '2012-10-17') {
    report('ERROR', 'INVALID_VERSION', 'Version must be "2012-10-17" (or the legacy "2008-10-17").', 'Version');
  }
  const statement = policy.Statement;
  if (statement === undefined) report('ERROR', 'MISSING_STATEMENT', 'Statement is missing.', 'Statement');
  else if (Array.isArray(statement) && statement.length === 0) report('ERROR', 'EMPTY_STATEMENT', 'Statement is an empty list.', 'Statement');
  else if (!Array.isArray(statement) && !isJsonObject(statement)) {
    report('ERROR', 'INVALID_STATEMENT', 'Statement must be an object or a list of objects.', 'Statement');
  }
}

function statementEntries(statement: unknown): { statement: unknown; path: string }[] {
  if (Array.isArray(statement)) return statement.map((entry, i) => ({ statement: entry, path: `Statement[${i}]` }));
  return isJsonObject(statement) ? [{ statement, path: 'Statement' }] : [];
}

async function checkStatement(statement: unknown, path: string, seenSids: Set<string>, report: Report): Promise<void> {
  if (!isJsonObject(statement)) {
    report('ERROR', 'INVALID_STATEMENT', 'A statement must be an object.', path);
    return;
  }
  for (const key of Object.keys(statement)) {
    if (!STATEMENT_ELEMENTS.has(key)) report('ERROR', 'UNKNOWN_ELEMENT', `Unknown statement element "${key}".`, `${path}.${key}`);
  }
  checkSid(statement.Sid, `${path}.Sid`, seenSids, report);
  checkEffect(statement.Effect, `${path}.Effect`, report);
  for (const key of ['Principal', 'NotPrincipal'] as const) {
    if (key in statement) {
      report('ERROR', 'PRINCIPAL_IN_IDENTITY_POLICY', `${key} belongs in resource policies, not in an identity policy.`, `${path}.${key}`);
    }
  }
  await checkActions(statement, path, report);
  checkResources(statement, path, report);
  if ('Condition' in statement) checkCondition(statement.Condition, `${path}.Condition`, report);
}

function checkSid(sid: unknown, location: string, seenSids: Set<string>, report: Report): void {
  if (sid === undefined) return;
  if (typeof sid !== 'string' || !SID_PATTERN.test(sid)) {
    report('ERROR', 'INVALID_SID', 'Sid must be a string of letters and digits only.', location);
    return;
  }
  if (sid === '') return;
  if (seenSids.has(sid)) report('ERROR', 'DUPLICATE_SID', `Sid "${sid}" is used by more than one statement.`, location);
  seenSids.add(sid);
}

function checkEffect(effect: unknown, location: string, report: Report): void {
  if (effect === undefined) report('ERROR', 'MISSING_EFFECT', 'Effect is missing.', location);
  else if (effect !== 'Allow' && effect !== 'Deny') report('ERROR', 'INVALID_EFFECT', 'Effect must be "Allow" or "Deny".', location);
}

async function checkActions(statement: JsonObject, path: string, report: Report): Promise<void> {
  const hasAction = 'Action' in statement;
  const hasNotAction = 'NotAction' in statement;
  if (hasAction && hasNotAction) {
    report('ERROR', 'ACTION_AND_NOT_ACTION', 'A statement has either Action or NotAction, not both.', path);
  }
  if (!hasAction && !hasNotAction) {
    report('ERROR', 'MISSING_ACTION', 'A statement needs Action or NotAction.', path);
    return;
  }
  for (const key of ['Action', 'NotAction'] as const) {
    if (!(key in statement)) continue;
    const entries = stringEntries(statement[key], `${path}.${key}`);
    if (entries === null) {
      report('ERROR', 'INVALID_ACTION', `${key} must be a string or a non-empty list of strings.`, `${path}.${key}`);
      continue;
    }
    for (const { value, location } of entries) {
      if (typeof value !== 'string') {
        report('ERROR', 'INVALID_ACTION', `${key} entries must be strings.`, location);
      } else if (isMatchAllPattern(value)) {
        if (key === 'Action' && statement.Effect === 'Allow') {
          report('SECURITY_WARNING', 'ALLOW_ALL_ACTIONS', 'This statement allows every action of every service.', location);
        }
      } else if (!(await isKnownOrMatchingAction(value))) {
        report('ERROR', 'UNKNOWN_ACTION', `"${value}" is not a known IAM action, nor a pattern matching one.`, location);
      }
    }
  }
}

function checkResources(statement: JsonObject, path: string, report: Report): void {
  const hasResource = 'Resource' in statement;
  const hasNotResource = 'NotResource' in statement;
  if (hasResource && hasNotResource) {
    report('ERROR', 'RESOURCE_AND_NOT_RESOURCE', 'A statement has either Resource or NotResource, not both.', path);
  }
  if (!hasResource && !hasNotResource) {
    report('ERROR', 'MISSING_RESOURCE', 'An identity policy statement needs Resource or NotResource.', path);
    return;
  }
  for (const key of ['Resource', 'NotResource'] as const) {
    if (!(key in statement)) continue;
    const entries = stringEntries(statement[key], `${path}.${key}`);
    if (entries === null) {
      report('ERROR', 'INVALID_RESOURCE', `${key} must be a string or a non-empty list of strings.`, `${path}.${key}`);
      continue;
    }
    for (const { value, location } of entries) {
      // IAM: "Resource must be in ARN format or \"*\"".
      if (typeof value !== 'string' || !/^(\*|arn:)/.test(value)) {
        report('ERROR', 'INVALID_RESOURCE', `${key} entries must be ARNs or "*".`, location);
      }
    }
  }
}

function checkCondition(condition: unknown, location: string, report: Report): void {
  if (!isJsonObject(condition)) {
    report('ERROR', 'INVALID_CONDITION', 'Condition must be an object of operator → { key: value(s) }.', location);
    return;
  }
  for (const [operator, block] of Object.entries(condition)) {
    if (!isJsonObject(block)) {
      const message = `Condition operator "${operator}" must map condition keys to values.`;
      report('ERROR', 'INVALID_CONDITION', message, `${location}.${operator}`);
      continue;
    }
    for (const [key, value] of Object.entries(block)) {
      const values = Array.isArray(value) ? value : [value];
      if (!values.every((v) => ['string', 'number', 'boolean'].includes(typeof v))) {
        const message = `Condition key "${key}" must have a string, number or boolean value, or a list of them.`;
        report('ERROR', 'INVALID_CONDITION', message, `${location}.${operator}.${key}`);
      }
    }
  }
}

function checkSize(size: number, maxChars: number | undefined, report: Report): void {
  const limit = maxChars !== undefined && maxChars > 0 ? maxChars : PERMISSION_SET_LIMITS.inlinePolicyChars;
  if (size > limit) {
    report('ERROR', 'POLICY_TOO_LARGE', `The policy has ${size} non-whitespace characters; the limit is ${limit}.`);
  }
}

/** The entries of a single-or-list element with their locations; null when it is neither (or an empty list). */
function stringEntries(element: unknown, location: string): { value: unknown; location: string }[] | null {
  if (typeof element === 'string') return [{ value: element, location }];
  if (!Array.isArray(element) || element.length === 0) return null;
  return element.map((value, i) => ({ value, location: `${location}[${i}]` }));
}

async function isKnownOrMatchingAction(action: string): Promise<boolean> {
  if (action.includes('*') || action.includes('?')) return (await expandActionPattern(action)).length > 0;
  return isKnownAction(action);
}

function isMatchAllPattern(action: string): boolean {
  return /^\*+(:\*+)?$/.test(action);
}

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
