/**
 * A role's trust policy, read for one principal: the statements that name it, rewritten as identity
 * statements on the role (`sts:AssumeRole` on the role's ARN, the same Condition) so that the one
 * evaluator judges their conditions and Denies like any other statement.
 *
 * Who a statement names: `*`, or the user's own ARN, grants on its own within the account, as IAM
 * does for a resource policy naming the principal; the account (its root ARN or bare ID) grants only
 * together with an identity policy that allows `sts:AssumeRole` on the role. A Deny naming any of
 * them, or a Deny with a `NotPrincipal` that leaves them out, reaches the user. Service principals
 * are matched for the roles a compute service may run as.
 */
import type { NamedPolicy } from '../effective-access.js';
import { statementsOf, toArray } from '../policy-statements.js';
import type { PolicyStatement, Role } from '../inventory.js';

export interface UserTrust {
  /** Trust Allows naming the user itself or `*`. */
  direct: NamedPolicy | null;
  /** Trust Allows naming the user's account. */
  account: NamedPolicy | null;
  /** Trust Denies that reach the user. */
  denies: NamedPolicy | null;
}

export interface ServiceTrust {
  allows: NamedPolicy | null;
  denies: NamedPolicy | null;
}

/** The label every statement of a role's trust policy carries, so a verdict can name the trust policy. */
export function trustLabel(roleArn: string): string {
  return `trust-policy ${roleArn}`;
}

/** The trust of `role` as it applies to the IAM user `userArn` of account `accountId`. */
export function trustForUser(role: Role, userArn: string, account: { partition: string; accountId: string }): UserTrust {
  const rootArn = `arn:${account.partition}:iam::${account.accountId}:root`;
  const direct: PolicyStatement[] = [];
  const inAccount: PolicyStatement[] = [];
  const denies: PolicyStatement[] = [];
  for (const statement of statementsOf(role.trustPolicy)) {
    const named = awsPrincipalsOf(statement.Principal);
    if (statement.Effect === 'Deny') {
      const excluded = awsPrincipalsOf(statement.NotPrincipal);
      const reaches = statement.NotPrincipal !== undefined ? !excluded.some((p) => p === userArn || p === rootArn || p === account.accountId) : named.some((p) => p === '*' || p === userArn || p === rootArn || p === account.accountId);
      if (reaches) denies.push(onRole(statement, role.arn));
    } else if (named.some((p) => p === '*' || p === userArn)) direct.push(onRole(statement, role.arn));
    else if (named.some((p) => p === rootArn || p === account.accountId)) inAccount.push(onRole(statement, role.arn));
  }
  return { direct: policyOf(role.arn, direct), account: policyOf(role.arn, inAccount), denies: policyOf(role.arn, denies) };
}

/** The trust of `role` as it applies to the service principal `service` (`ec2.amazonaws.com`). */
export function trustForService(role: Role, service: string): ServiceTrust {
  const allows: PolicyStatement[] = [];
  const denies: PolicyStatement[] = [];
  for (const statement of statementsOf(role.trustPolicy)) {
    if (statement.NotPrincipal !== undefined) continue;
    if (!servicePrincipalsOf(statement.Principal).some((p) => p === '*' || p === service)) continue;
    (statement.Effect === 'Deny' ? denies : allows).push(onRole(statement, role.arn));
  }
  return { allows: policyOf(role.arn, allows), denies: policyOf(role.arn, denies) };
}

function onRole(statement: PolicyStatement, roleArn: string): PolicyStatement {
  const { Principal: _principal, NotPrincipal: _notPrincipal, NotResource: _notResource, ...rest } = statement;
  return { ...rest, Resource: roleArn };
}

function policyOf(roleArn: string, statements: PolicyStatement[]): NamedPolicy | null {
  return statements.length === 0 ? null : { source: trustLabel(roleArn), document: { Version: '2012-10-17', Statement: statements } };
}

// `"*"`, `{ "AWS": "..." }` or `{ "AWS": [...] }`.
function awsPrincipalsOf(principal: unknown): string[] {
  return principalsOf(principal, 'AWS');
}

function servicePrincipalsOf(principal: unknown): string[] {
  return principalsOf(principal, 'Service');
}

function principalsOf(principal: unknown, kind: 'AWS' | 'Service'): string[] {
  if (principal === '*') return ['*'];
  if (typeof principal !== 'object' || principal === null) return [];
  const values = (principal as Record<string, unknown>)[kind];
  return toArray(values as string | string[] | undefined).filter((value): value is string => typeof value === 'string');
}
