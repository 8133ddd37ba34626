import { describe, expect, it } from 'vitest';
import { evaluateAccess } from '../../../src/model/effective-access.js';
import type { PolicyStatement } from '../../../src/model/inventory.js';
import { rewriteForRoleSession } from '../../../src/phases/generate-policies/role-session-rewrite.js';

const SELF_SERVICE: PolicyStatement = { Sid: 'OwnKeys', Effect: 'Allow', Action: ['iam:CreateAccessKey', 'iam:ChangePassword'], Resource: 'arn:aws:iam::111111111111:user/${aws:username}' };
const HOME: PolicyStatement = { Sid: 'Home', Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::home/${aws:username}/*' };
const DENY_OTHERS: PolicyStatement = { Sid: 'KeepOut', Effect: 'Deny', Action: 's3:DeleteObject', Resource: 'arn:aws:s3:::home/${aws:username}/locked/*' };
const DENY_BY_CONDITION: PolicyStatement = { Effect: 'Deny', Action: 's3:ListBucket', Resource: '*', Condition: { StringNotLike: { 's3:prefix': '${aws:username}/*' }, Bool: { 'aws:SecureTransport': 'false' } } };
const SESSION = { 'aws:username': null };

const decide = (statements: PolicyStatement[], action: string, resource: string) =>
  evaluateAccess({ identity: [{ source: 'set', document: { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }, ...statements] } }], boundary: null }, { action, resource, context: SESSION }).decision;

describe('rewriteForRoleSession', () => {
  it('leaves out IAM self-service on the person\'s own user: moot without an IAM user', () => {
    const { statements, notes } = rewriteForRoleSession([SELF_SERVICE, HOME], 'dev', null);
    expect(statements).not.toContainEqual(SELF_SERVICE);
    expect(notes.map((n) => n.code)).toContain('USER_ONLY_DROPPED');
  });

  it('names the one person who receives the set, keeping the meaning', () => {
    const { statements, notes } = rewriteForRoleSession([HOME], 'user-alice', 'alice');
    expect(statements[0]?.Resource).toBe('arn:aws:s3:::home/alice/*');
    expect(notes[0]?.code).toBe('USER_ONLY_REWRITTEN');
  });

  it('widens a shared Deny so that no one escapes it in a role session', () => {
    const before = decide([DENY_OTHERS], 's3:DeleteObject', 'arn:aws:s3:::home/alice/locked/a');
    expect(before).toBe('allowed');
    const { statements, notes } = rewriteForRoleSession([DENY_OTHERS], 'shared', null);
    expect(decide(statements, 's3:DeleteObject', 'arn:aws:s3:::home/alice/locked/a')).toBe('denied');
    expect(notes[0]?.code).toBe('USER_ONLY_DENY_WIDENED');
  });

  it('drops only the conditions of a shared Deny that use the variable, so it applies at least as often', () => {
    const { statements } = rewriteForRoleSession([DENY_BY_CONDITION], 'shared', null);
    expect(statements[0]?.Condition).toEqual({ Bool: { 'aws:SecureTransport': 'false' } });
  });

  it('keeps a shared Allow on the variable, and says its access is lost', () => {
    const { statements, notes } = rewriteForRoleSession([HOME], 'shared', null);
    expect(statements).toEqual([HOME]);
    expect(notes[0]).toMatchObject({ code: 'USER_ONLY_NEVER_MATCHES', severity: 'warning' });
  });

  it('passes other statements through untouched', () => {
    const plain: PolicyStatement = { Effect: 'Allow', Action: 'sqs:*', Resource: '*' };
    expect(rewriteForRoleSession([plain], 'shared', null)).toEqual({ statements: [plain], notes: [] });
  });
});
