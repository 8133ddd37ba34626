/**
 * Statements written for IAM users that mean something else in a role session, which is what a
 * permission set becomes. A role session has no `aws:username`, so `${aws:username}` never resolves
 * and an element that uses it matches nothing: an Allow on `user/${aws:username}` grants nothing, a
 * Deny on `home/${aws:username}/*` protects nothing.
 *
 * - IAM self-service (an Allow of `iam:` actions on the user's own `user/${aws:username}` or
 *   `mfa/${aws:username}`) is moot once the person has no IAM user: dropped.
 * - In a set only one person receives, the variable becomes that person's IAM user name: the same meaning.
 * - In a set several people share, no literal is right for all of them. The statement is changed so
 *   that it can only take away, never add: a Deny's resource variable becomes `*` and its conditions
 *   on the variable are left out (it denies for everyone, at least as often), an Allow's `NotResource`
 *   variable becomes `*` (it allows less). An Allow's resource variable is left, and the access it
 *   gave is lost; verify lists it.
 * Every change is a note for reports/policies.md.
 */
import { toArray } from '../../model/policy-statements.js';
import type { PolicyStatement } from '../../model/inventory.js';
import type { PolicyNote } from './types.js';

const USERNAME_VARIABLE = /\$\{aws:username\}/gi;
const SELF_SERVICE_RESOURCE = /:(?:user|mfa)\/(?:[^$]*\/)?\$\{aws:username\}$/i;

export interface RewrittenStatements {
  statements: PolicyStatement[];
  notes: PolicyNote[];
}

export function rewriteForRoleSession(statements: readonly PolicyStatement[], set: string, soleMember: string | null): RewrittenStatements {
  const out: PolicyStatement[] = [];
  const notes: PolicyNote[] = [];
  for (const statement of statements) {
    if (!usesUsername(statement)) {
      out.push(statement);
      continue;
    }
    const label = statement.Sid ? `statement ${statement.Sid}` : `a statement on ${toArray(statement.Action ?? statement.NotAction).slice(0, 3).join(', ')}`;
    if (isSelfService(statement)) {
      notes.push({ code: 'USER_ONLY_DROPPED', severity: 'info', message: `${set}: ${label} manages the person's own IAM user (\${aws:username}); it is moot once they sign in through Identity Center, and is left out.` });
      continue;
    }
    if (soleMember !== null) {
      out.push(substitute(statement, () => soleMember));
      notes.push({ code: 'USER_ONLY_REWRITTEN', severity: 'info', message: `${set}: ${label} used \${aws:username}, which a role session does not have; only ${soleMember} receives this set, so it now names ${soleMember}.` });
      continue;
    }
    const rewritten = narrowForShared(statement);
    out.push(rewritten.statement);
    notes.push({ code: rewritten.code, severity: 'warning', message: `${set}: ${label} uses \${aws:username}, which a role session does not have, and several people share this set: ${rewritten.effect}` });
  }
  return { statements: out, notes };
}

function usesUsername(statement: PolicyStatement): boolean {
  return /\$\{aws:username\}/i.test(JSON.stringify([statement.Resource, statement.NotResource, statement.Condition])) || /"aws:username"/i.test(JSON.stringify(statement.Condition ?? {}));
}

function isSelfService(statement: PolicyStatement): boolean {
  const actions = toArray(statement.Action);
  const resources = toArray(statement.Resource);
  return (
    statement.Effect === 'Allow' &&
    statement.NotAction === undefined &&
    actions.length > 0 &&
    actions.every((a) => typeof a === 'string' && a.toLowerCase().startsWith('iam:')) &&
    resources.length > 0 &&
    resources.every((r) => typeof r === 'string' && SELF_SERVICE_RESOURCE.test(r))
  );
}

function substitute(statement: PolicyStatement, value: () => string, elements: readonly ('Resource' | 'NotResource' | 'Condition')[] = ['Resource', 'NotResource', 'Condition']): PolicyStatement {
  const copy = structuredClone(statement);
  for (const element of elements) {
    if (copy[element] === undefined) continue;
    copy[element] = JSON.parse(JSON.stringify(copy[element]).replace(USERNAME_VARIABLE, value)) as never;
  }
  return copy;
}

function narrowForShared(statement: PolicyStatement): { statement: PolicyStatement; code: string; effect: string } {
  if (statement.Effect === 'Deny') {
    // Each change can only make the Deny apply more often: a resource of any name, one condition fewer.
    const widened = statement.Resource !== undefined ? substitute(statement, () => '*', ['Resource']) : structuredClone(statement);
    if (widened.Condition !== undefined) widened.Condition = withoutUsernameConditions(widened.Condition);
    return { statement: widened, code: 'USER_ONLY_DENY_WIDENED', effect: 'the variable is replaced by * in its resources and the conditions that use it are left out, so it denies at least as much as before (no one gains access; some may lose it).' };
  }
  if (statement.NotResource !== undefined) {
    return { statement: substitute(statement, () => '*', ['NotResource']), code: 'USER_ONLY_ALLOW_NARROWED', effect: 'its NotResource now uses * in place of the variable, so it allows less (no one gains access; some may lose it).' };
  }
  return { statement, code: 'USER_ONLY_NEVER_MATCHES', effect: 'it never matches in a role session, so what it allowed is lost (see reports/verify.md). Give each person a set of their own if they need it.' };
}

/** A Condition block without the keys that use `aws:username`; operators left empty go too. */
function withoutUsernameConditions(condition: Record<string, unknown>): Record<string, unknown> | undefined {
  const kept: Record<string, unknown> = {};
  for (const [operator, keys] of Object.entries(condition)) {
    if (typeof keys !== 'object' || keys === null) continue;
    const entries = Object.entries(keys as Record<string, unknown>).filter(([key, value]) => key.toLowerCase() !== 'aws:username' && !/\$\{aws:username\}/i.test(JSON.stringify(value)));
    if (entries.length > 0) kept[operator] = Object.fromEntries(entries);
  }
  return Object.keys(kept).length > 0 ? kept : undefined;
}
