/**
 * Small, pure helpers over IAM policy documents: normalising the single-or-list elements, IAM
 * wildcard matching, and recognising an unconditional allow-all or deny-all statement. What a
 * principal may do as a whole is the effective-access model's question (src/model/effective-access.ts).
 */
import type { PolicyDocument, PolicyStatement } from './inventory.js';

/** Values for policy variables such as `${aws:username}`, keyed case-insensitively. */
export type PolicyVariables = Readonly<Record<string, string>>;

const MAX_CACHED_PATTERNS = 5_000;
const actionPatternCache = new Map<string, RegExp>();
const resourcePatternCache = new Map<string, RegExp>();

/** Normalises an IAM single-or-list element (`"a"` or `["a", "b"]`) to a list; absent → `[]`. */
export function toArray<T>(value: T | T[] | undefined | null): T[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? [...value] : [value];
}

/** The statements of a document as a list; a missing document has none. */
export function statementsOf(document: PolicyDocument | null | undefined): PolicyStatement[] {
  if (!document) return [];
  // Defensive: documents come from JSON, and a malformed entry must not break the audit.
  return toArray(document.Statement).filter(
    (statement): statement is PolicyStatement => typeof statement === 'object' && statement !== null,
  );
}

/** Whether an IAM action pattern (`*`, `?`, `s3:*`, `iam:Get*`) matches an action, ignoring case as IAM does. */
export function matchesActionPattern(pattern: string, action: string): boolean {
  return cachedRegExp(actionPatternCache, pattern, () => wildcardRegExp(pattern, 'i')).test(action);
}

/**
 * Whether an IAM resource pattern matches a resource ARN. Case-sensitive, as ARNs are.
 * `${var}` policy variables are resolved from `variables`; an unresolved variable without a
 * default never matches, as in IAM. `${*}`, `${?}` and `${$}` stand for the literal characters.
 */
export function matchesResourcePattern(pattern: string, resource: string, variables: PolicyVariables = {}): boolean {
  if (!pattern.includes('${')) {
    return cachedRegExp(resourcePatternCache, pattern, () => wildcardRegExp(pattern, '')).test(resource);
  }
  const source = resourcePatternSource(pattern, variables);
  return source !== null && new RegExp(`^${source}$`, 's').test(resource);
}

/** Whether the statement's `Action` / `NotAction` applies to `action`. A statement with neither applies to nothing. */
export function statementAppliesToAction(statement: PolicyStatement, action: string): boolean {
  if (statement.Action !== undefined) {
    return toArray(statement.Action).some((pattern) => matchesActionPattern(pattern, action));
  }
  if (statement.NotAction !== undefined) {
    return !toArray(statement.NotAction).some((pattern) => matchesActionPattern(pattern, action));
  }
  return false;
}

/** Whether the statement's `Resource` / `NotResource` applies to `resource`. */
export function statementAppliesToResource(
  statement: PolicyStatement,
  resource: string,
  variables: PolicyVariables = {},
): boolean {
  if (statement.Resource !== undefined) {
    return toArray(statement.Resource).some((pattern) => matchesResourcePattern(pattern, resource, variables));
  }
  if (statement.NotResource !== undefined) {
    return !toArray(statement.NotResource).some((pattern) => matchesResourcePattern(pattern, resource, variables));
  }
  return false;
}

/** Whether the statement carries a non-empty `Condition`; `{}` constrains nothing. */
export function hasCondition(statement: PolicyStatement): boolean {
  const condition = statement.Condition;
  return typeof condition === 'object' && condition !== null && Object.keys(condition).length > 0;
}

/** Whether `Action` (not `NotAction`) lists a pattern matching every action: `*`, `*:*`. */
export function coversAllActions(statement: PolicyStatement): boolean {
  return toArray(statement.Action).some(isMatchAllActionPattern);
}

/**
 * Whether `Resource` (not `NotResource`) lists `*`. `arn:*` is deliberately not enough: actions
 * without resource-level permissions only match a literal `*`.
 */
export function coversAllResources(statement: PolicyStatement): boolean {
  return toArray(statement.Resource).some(isMatchAllResourcePattern);
}

/** Unconditional `Allow` of every action on every resource: administrator access. */
export function isAllowAllStatement(statement: PolicyStatement): boolean {
  return statement.Effect === 'Allow' && coversAllActions(statement) && coversAllResources(statement) && !hasCondition(statement);
}

/** Unconditional `Deny` of every action on every resource: nothing else in the policy set matters. */
export function isDenyAllStatement(statement: PolicyStatement): boolean {
  return (
    statement.Effect === 'Deny' && coversAllActions(statement) && coversAllResources(statement) && !hasCondition(statement)
  );
}

function isMatchAllActionPattern(pattern: string): boolean {
  return /^\*+(:\*+)?$/.test(pattern.trim());
}

function isMatchAllResourcePattern(pattern: string): boolean {
  return /^\*+$/.test(pattern.trim());
}

function cachedRegExp(cache: Map<string, RegExp>, pattern: string, build: () => RegExp): RegExp {
  let regExp = cache.get(pattern);
  if (regExp === undefined) {
    // Bounded so that a huge account cannot grow the cache without limit.
    if (cache.size >= MAX_CACHED_PATTERNS) cache.clear();
    regExp = build();
    cache.set(pattern, regExp);
  }
  return regExp;
}

function wildcardRegExp(pattern: string, flags: string): RegExp {
  return new RegExp(`^${wildcardSource(pattern)}$`, `s${flags}`);
}

function wildcardSource(text: string): string {
  let source = '';
  for (const char of text) {
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else source += escapeRegExp(char);
  }
  return source;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

const LITERAL_VARIABLES: ReadonlyMap<string, string> = new Map([
  ['*', '*'],
  ['?', '?'],
  ['$', '$'],
]);

function resourcePatternSource(pattern: string, variables: PolicyVariables): string | null {
  const lookup = new Map(Object.entries(variables).map(([key, value]) => [key.toLowerCase(), value]));
  let source = '';
  let rest = pattern;
  while (rest.length > 0) {
    const start = rest.indexOf('${');
    const end = start < 0 ? -1 : rest.indexOf('}', start);
    if (start < 0 || end < 0) {
      source += wildcardSource(rest);
      break;
    }
    source += wildcardSource(rest.slice(0, start));
    const value = resolveVariable(rest.slice(start + 2, end), lookup);
    if (value === null) return null;
    source += escapeRegExp(value);
    rest = rest.slice(end + 1);
  }
  return source;
}

// `${name}` or `${name, 'default'}`; the result is matched literally, never as a wildcard.
function resolveVariable(body: string, lookup: Map<string, string>): string | null {
  const literal = LITERAL_VARIABLES.get(body);
  if (literal !== undefined) return literal;
  const comma = body.indexOf(',');
  const name = (comma < 0 ? body : body.slice(0, comma)).trim().toLowerCase();
  const value = lookup.get(name);
  if (value !== undefined) return value;
  if (comma < 0) return null;
  const fallback = /^\s*'([^']*)'\s*$/.exec(body.slice(comma + 1));
  return fallback ? (fallback[1] ?? '') : null;
}
