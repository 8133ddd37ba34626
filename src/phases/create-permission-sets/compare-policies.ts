import { createHash } from 'node:crypto';
import type { PolicyDocument, PolicyStatement } from '../../model/inventory.js';

/**
 * Policies compared by meaning, not by text: Identity Center hands back the inline policy in its own
 * formatting, and the policy files are pretty-printed, so a textual comparison would report a change
 * on every run.
 */

/** Keys whose value may be written as one string or as a list of strings with the same meaning. */
const LIST_KEYS = new Set(['Statement', 'Action', 'NotAction', 'Resource', 'NotResource']);

/**
 * A canonical form of any policy JSON value: object keys sorted, a lone value under a list key made a
 * list, and lists sorted and deduplicated. Every list in an IAM policy is unordered (statements,
 * actions, resources, condition values), so none of this changes what the policy means.
 */
export function canonicalizePolicyValue(value: unknown): unknown {
  return canonicalize(value, 'plain');
}

/** Where a value sits: a condition block holds operators, an operator holds condition keys. */
type Place = 'plain' | 'condition' | 'operator';

function canonicalize(value: unknown, place: Place): unknown {
  if (Array.isArray(value)) {
    const items = value.map((item) => canonicalize(item, 'plain'));
    const unique = new Map(items.map((item) => [JSON.stringify(item), item] as const));
    return [...unique.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, item]) => item);
  }
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined) continue;
    // `"aws:SourceIp": "10.0.0.0/8"` under an operator means the same as a list of one.
    const listy = place === 'operator' || (place === 'plain' && LIST_KEYS.has(key));
    const child: Place = place === 'condition' ? 'operator' : place === 'plain' && key === 'Condition' ? 'condition' : 'plain';
    out[key] = canonicalize(listy && !Array.isArray(v) ? [v] : v, child);
  }
  return out;
}

/** The canonical JSON text of a policy value (see `canonicalizePolicyValue`). */
export function canonicalPolicyJson(value: unknown): string {
  return JSON.stringify(canonicalizePolicyValue(value)) ?? 'null';
}

/** True when two policy documents (or two null) mean the same. */
export function arePoliciesEqual(a: PolicyDocument | null, b: PolicyDocument | null): boolean {
  if (a === null || b === null) return a === b;
  return canonicalPolicyJson(a) === canonicalPolicyJson(b);
}

/**
 * Whether replacing `previous` with `next` may grant something new. It is conservative, never the
 * other way round: each statement is split into one grant per action, and a grant counts as
 * covered only when the same action with exactly the same resources and conditions was already
 * allowed. A removed Deny, a `NotAction` statement that changed, or a new policy version counts as
 * broadening. Used for the preview's marking, so over-marking is the safe error.
 */
export function isPolicyBroadening(next: PolicyDocument | null, previous: PolicyDocument | null): boolean {
  if (next === null) return removesDeny(previous, null);
  if (previous !== null && (next.Version ?? null) !== (previous.Version ?? null)) return true;
  const before = explodeGrants(previous, 'Allow');
  for (const grant of explodeGrants(next, 'Allow')) if (!before.has(grant)) return true;
  return removesDeny(previous, next);
}

function removesDeny(previous: PolicyDocument | null, next: PolicyDocument | null): boolean {
  const after = explodeGrants(next, 'Deny');
  for (const grant of explodeGrants(previous, 'Deny')) if (!after.has(grant)) return true;
  return false;
}

/** Each statement of one effect as `action|rest-of-statement` keys (the Sid says nothing about access). */
function explodeGrants(policy: PolicyDocument | null, effect: PolicyStatement['Effect']): Set<string> {
  const grants = new Set<string>();
  if (policy === null) return grants;
  const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
  for (const statement of statements) {
    if (statement.Effect !== effect) continue;
    const { Sid: _sid, Action, ...rest } = statement;
    const context = canonicalPolicyJson(rest);
    if (Action === undefined) {
      grants.add(`*|${context}`);
      continue;
    }
    for (const action of Array.isArray(Action) ? Action : [Action]) grants.add(`${action.toLowerCase()}|${context}`);
  }
  return grants;
}

/**
 * The inline policy as sent to Identity Center: minified, with every character above U+00FF
 * written as a `\uXXXX` escape, because `PutInlinePolicyToPermissionSet` only accepts tab, line
 * breaks and U+0020–U+00FF. The escape is the same JSON string, so the policy means the same.
 */
export function renderInlinePolicyText(policy: PolicyDocument): string {
  return JSON.stringify(policy).replace(/[\u0100-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A short stable hash of a JSON value's canonical form, for fingerprints. */
export function hashCanonical(value: unknown): string {
  return `sha256:${createHash('sha256').update(canonicalPolicyJson(value)).digest('hex')}`;
}
