/**
 * A statement's `Action` / `NotAction`, compiled once per statement into an index by service prefix:
 * an action is only tried against the patterns of its own service (and the few that span services),
 * not against every pattern of a policy like ReadOnlyAccess, which lists thousands. Names compare
 * ignoring case, as IAM compares them.
 */
import { toArray } from './policy-statements.js';
import type { PolicyStatement } from './inventory.js';

interface ActionIndex {
  /** Lower-case service prefix → the exact lower-case names and the wildcard names of that service. */
  byService: Map<string, { names: Set<string>; patterns: RegExp[] }>;
  /** Patterns whose service part has a wildcard (`*`, `*:Get*`), against the whole lower-case action. */
  acrossServices: RegExp[];
  negated: boolean;
  /** Neither Action nor NotAction: applies to nothing. */
  empty: boolean;
}

const compiled = new WeakMap<PolicyStatement, ActionIndex>();

/** Whether the statement's `Action` / `NotAction` applies to `action`, as `statementAppliesToAction` decides it. */
export function statementCoversAction(statement: PolicyStatement, action: string): boolean {
  let index = compiled.get(statement);
  if (index === undefined) {
    index = compile(statement);
    compiled.set(statement, index);
  }
  if (index.empty) return false;
  const lower = action.toLowerCase();
  const colon = lower.indexOf(':');
  const entry = colon > 0 ? index.byService.get(lower.slice(0, colon)) : undefined;
  const name = lower.slice(colon + 1);
  const matched = (entry !== undefined && (entry.names.has(name) || entry.patterns.some((p) => p.test(name)))) || index.acrossServices.some((p) => p.test(lower));
  return index.negated ? !matched : matched;
}

function compile(statement: PolicyStatement): ActionIndex {
  const negated = statement.Action === undefined && statement.NotAction !== undefined;
  const patterns = toArray(statement.Action ?? statement.NotAction).filter((p): p is string => typeof p === 'string');
  const index: ActionIndex = { byService: new Map(), acrossServices: [], negated, empty: statement.Action === undefined && statement.NotAction === undefined };
  for (const raw of patterns) {
    const pattern = raw.toLowerCase();
    const colon = pattern.indexOf(':');
    const service = colon < 0 ? pattern : pattern.slice(0, colon);
    if (colon < 0 || /[*?]/.test(service)) {
      index.acrossServices.push(wildcard(pattern));
      continue;
    }
    const name = pattern.slice(colon + 1);
    let entry = index.byService.get(service);
    if (entry === undefined) {
      entry = { names: new Set(), patterns: [] };
      index.byService.set(service, entry);
    }
    if (/[*?]/.test(name)) entry.patterns.push(wildcard(name));
    else entry.names.add(name);
  }
  return index;
}

function wildcard(pattern: string): RegExp {
  const source = [...pattern].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/]/g, '\\$&'))).join('');
  return new RegExp(`^${source}$`, 's');
}
