/**
 * Merging the statements of several policies into fewer, without changing what they allow or deny.
 *
 * Two statements merge only when the union of their actions means exactly what the two meant: same
 * Effect, same Resource (or NotResource) set, same Condition, and a plain `Action` list on both.
 * `Allow A on R` plus `Allow B on R` is `Allow A,B on R`; the same holds for Deny. Statements with
 * `NotAction`, `Principal` or `NotPrincipal`, or any shape this module does not recognise, are kept
 * exactly as they were: merging them would change their meaning.
 */
import { toArray } from '../../model/policy-statements.js';
import type { PolicyStatement } from '../../model/inventory.js';

/** A statement this module can merge, with its elements as lists. */
export interface ActionStatement extends PolicyStatement {
  Action: string[];
}

type ResourceKey = 'Resource' | 'NotResource';

const MERGEABLE_KEYS = new Set(['Sid', 'Effect', 'Action', 'Resource', 'NotResource', 'Condition']);

/**
 * Normalises and merges statements (see the top of this file). Actions are de-duplicated and
 * sorted ignoring case (IAM action names are case-insensitive), actions covered by a wildcard of
 * the same statement (`*`, `s3:*`, `s3:Get*`) are dropped, and Sids that would repeat are removed
 * (IAM requires them to be unique in a policy; they carry no meaning in an identity policy).
 * Every statement of the input is still there, merged or as it was, in first-occurrence order.
 */
export function mergeStatements(statements: PolicyStatement[]): PolicyStatement[] {
  const merged: PolicyStatement[] = [];
  const byKey = new Map<string, ActionStatement>();
  for (const statement of statements) {
    const normalised = normaliseActionStatement(statement);
    if (normalised === null) {
      merged.push(structuredClone(statement));
      continue;
    }
    const key = mergeKey(normalised);
    const existing = byKey.get(key);
    if (existing) {
      existing.Action.push(...normalised.Action);
      continue;
    }
    byKey.set(key, normalised);
    merged.push(normalised);
  }
  for (const statement of byKey.values()) statement.Action = reduceActions(statement.Action);
  return withUniqueSids(merged);
}

/**
 * The statement as a mergeable `ActionStatement` (lists everywhere, resources de-duplicated and
 * sorted, an empty Condition dropped), or null when it is not one this module may merge.
 */
export function normaliseActionStatement(statement: PolicyStatement): ActionStatement | null {
  if (!isMergeable(statement)) return null;
  const resourceKey: ResourceKey = statement.Resource !== undefined ? 'Resource' : 'NotResource';
  const resources = [...new Set(toArray(statement[resourceKey]) as string[])].sort(compareOrdinal);
  const normalised: ActionStatement = {
    ...(typeof statement.Sid === 'string' && statement.Sid !== '' ? { Sid: statement.Sid } : {}),
    Effect: statement.Effect,
    Action: uniqueIgnoringCase(toArray(statement.Action) as string[]),
    [resourceKey]: resources,
  };
  if (statement.Condition !== undefined && Object.keys(statement.Condition).length > 0) {
    normalised.Condition = canonicalJson(statement.Condition) as Record<string, unknown>;
  }
  return normalised;
}

/** Compares action names as IAM does (ignoring case), with a stable tie-break on the exact text. */
export function compareActions(a: string, b: string): number {
  return compareOrdinal(a.toLowerCase(), b.toLowerCase()) || compareOrdinal(a, b);
}

function isMergeable(statement: PolicyStatement): boolean {
  if (typeof statement !== 'object' || statement === null) return false;
  if (Object.keys(statement).some((key) => !MERGEABLE_KEYS.has(key))) return false;
  if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') return false;
  if (!isStringOrNonEmptyStringList(statement.Action)) return false;
  if ((statement.Resource === undefined) === (statement.NotResource === undefined)) return false;
  if (!isStringOrNonEmptyStringList(statement.Resource ?? statement.NotResource)) return false;
  if (statement.Sid !== undefined && typeof statement.Sid !== 'string') return false;
  const condition: unknown = statement.Condition;
  return condition === undefined || (typeof condition === 'object' && condition !== null && !Array.isArray(condition));
}

function isStringOrNonEmptyStringList(value: unknown): boolean {
  if (typeof value === 'string') return true;
  return Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string');
}

function mergeKey(statement: ActionStatement): string {
  const resourceKey: ResourceKey = statement.Resource !== undefined ? 'Resource' : 'NotResource';
  return JSON.stringify([statement.Effect, resourceKey, statement[resourceKey], statement.Condition ?? null]);
}

/** De-duplicates ignoring case, keeping the first spelling seen. */
function uniqueIgnoringCase(actions: string[]): string[] {
  const seen = new Set<string>();
  const unique: string[] = [];
  for (const action of actions) {
    const lower = action.toLowerCase();
    if (seen.has(lower)) continue;
    seen.add(lower);
    unique.push(action);
  }
  return unique;
}

/**
 * De-duplicates, drops the actions a wildcard of the same list already covers, and sorts.
 * Candidates are visited from the fewest non-`*` characters up: a pattern can only cover one with
 * at least as many, so whatever is dropped is covered by a pattern that is kept.
 */
function reduceActions(actions: string[]): string[] {
  const unique = uniqueIgnoringCase(actions);
  const byBreadth = [...unique].sort((a, b) => nonStarLength(a) - nonStarLength(b) || compareActions(a, b));
  const keptWildcards: RegExp[] = [];
  const kept = new Set<string>();
  for (const action of byBreadth) {
    if (keptWildcards.some((pattern) => pattern.test(action))) continue;
    kept.add(action);
    if (action.includes('*') || action.includes('?')) keptWildcards.push(coveringRegExp(action));
  }
  return unique.filter((action) => kept.has(action)).sort(compareActions);
}

function nonStarLength(pattern: string): number {
  return pattern.replaceAll('*', '').length;
}

/**
 * A test of whether `pattern` covers every action another pattern can match. `*` may absorb any
 * text, wildcards included; `?` stands for exactly one character, so it may only absorb a literal
 * one (letting it absorb a `*` would claim `s3:Get?` covers `s3:Get*`, which it does not).
 */
function coveringRegExp(pattern: string): RegExp {
  let source = '';
  for (const char of pattern) {
    if (char === '*') source += '.*';
    else if (char === '?') source += '[^*?]';
    else source += char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'is');
}

function withUniqueSids(statements: PolicyStatement[]): PolicyStatement[] {
  // Compared ignoring case: nothing says IAM tells `ReadS3` and `reads3` apart, and dropping a Sid is harmless.
  const seen = new Set<string>();
  return statements.map((statement) => {
    if (statement.Sid === undefined) return statement;
    const sid = String(statement.Sid).toLowerCase();
    if (!seen.has(sid)) {
      seen.add(sid);
      return statement;
    }
    const { Sid: _dropped, ...rest } = statement;
    return rest;
  });
}

/** Object keys sorted at every depth, so that equal conditions serialise equally. Lists keep their order. */
function canonicalJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonicalJson);
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value).sort(([a], [b]) => compareOrdinal(a, b));
  return Object.fromEntries(entries.map(([key, inner]) => [key, canonicalJson(inner)]));
}

function compareOrdinal(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
