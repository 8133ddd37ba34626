import {
  AttachUserPolicyCommand,
  DeleteUserPolicyCommand,
  DetachUserPolicyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  ListAccessKeysCommand,
  ListAttachedUserPoliciesCommand,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { Fault } from '../../../src/errors.js';
import type { ActionRegistry, PlannedAction } from '../../../src/plan/plan-types.js';
import {
  createRetireRegistry,
  DENY_ALL_POLICY_NAME,
  RETIRE_KIND,
  type AccessKeyParams,
  type InlinePolicyParams,
  type ManagedPolicyParams,
  type RetireContext,
} from '../../../src/phases/disable/retire-handlers.js';
import { awsError, mockAws } from '../support/aws-mocks.js';
import { caught } from '../support/caught.js';
import { sdkUser } from '../support/builders.js';

const { mocks, clients } = mockAws();

const AWS_DENY_ALL = 'arn:aws:iam::aws:policy/AWSDenyAll';
const READ_ONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
const ALICE = { userName: 'alice', userId: 'AIDAALICE0000000001' };
const KEY_ID = 'AKIAALICE00000000001';
const ok = (requestId = 'req-ok') => ({ $metadata: { requestId } });
const signal = () => new AbortController().signal;

function registry(): ActionRegistry<RetireContext> {
  return createRetireRegistry({ iam: clients.iam });
}

/**
 * The handler of `kind`, bound to a fresh registry's context. Called from an async function, as the
 * executor awaits it, so a refusal thrown before the first await is seen as the rejection it becomes there.
 */
function handler(kind: string) {
  const r = registry();
  const h = r.get(kind);
  if (!h) throw new Error(`no handler ${kind}`);
  return {
    isDone: async (params: unknown) => h.isDone(params, r.context, signal()),
    apply: async (params: unknown) => h.apply(params, r.context, signal()),
    inverse: h.inverse ? (action: PlannedAction) => h.inverse!(action) : undefined,
  };
}

const inlineParams = (over: Partial<InlinePolicyParams> = {}): InlinePolicyParams => ({ ...ALICE, policyName: DENY_ALL_POLICY_NAME, fallbackPolicyArn: AWS_DENY_ALL, ...over });
const keyParams = (over: Partial<AccessKeyParams> = {}): AccessKeyParams => ({ ...ALICE, accessKeyId: KEY_ID, ...over });
const managedParams = (over: Partial<ManagedPolicyParams> = {}): ManagedPolicyParams => ({ ...ALICE, policyArn: AWS_DENY_ALL, ...over });

const inputsOf = <T>(command: new (...args: never[]) => { input: T }) => mocks.iam.commandCalls(command as never).map((c) => c.args[0].input as T);
const callNames = () => mocks.iam.calls().map((c) => c.args[0].constructor.name);

/** IAM as it stands for alice: whether the inline deny-all is there, and which managed policies are attached. */
function aliceHas({ inline, attached }: { inline: boolean; attached: string[] }) {
  mocks.iam.on(GetUserCommand).resolves({ User: sdkUser('alice', ALICE.userId), ...ok() });
  if (inline) mocks.iam.on(GetUserPolicyCommand).resolves({ UserName: 'alice', PolicyName: DENY_ALL_POLICY_NAME, PolicyDocument: '{}', ...ok() });
  else mocks.iam.on(GetUserPolicyCommand).rejects(awsError('NoSuchEntityException'));
  mocks.iam.on(ListAttachedUserPoliciesCommand).resolves({ AttachedPolicies: attached.map((arn) => ({ PolicyName: arn.split('/').pop(), PolicyArn: arn })), IsTruncated: false, ...ok() });
}

describe('PutDenyAllUserPolicy', () => {
  it('Given a user, When it is applied, Then exactly one PutUserPolicy is sent, naming the user and iam2idc-deny-all with a Deny * on * document', async () => {
    mocks.iam.on(PutUserPolicyCommand).resolves(ok('req-put'));

    const outcome = await handler(RETIRE_KIND.putDenyPolicy).apply(inlineParams());

    expect(outcome.requestId).toBe('req-put');
    expect(callNames()).toEqual(['PutUserPolicyCommand']);
    const [input] = inputsOf(PutUserPolicyCommand);
    expect(input).toMatchObject({ UserName: 'alice', PolicyName: 'iam2idc-deny-all' });
    const document = JSON.parse(String(input?.PolicyDocument)) as { Statement: { Effect: string; Action: unknown; Resource: unknown; Condition?: unknown }[] };
    expect(document.Statement).toHaveLength(1);
    expect(document.Statement[0]).toMatchObject({ Effect: 'Deny', Action: '*', Resource: '*' });
    expect(document.Statement[0]?.Condition).toBeUndefined();
    expect(mocks.iam.commandCalls(AttachUserPolicyCommand)).toHaveLength(0);
  });

  it('Given the inline budget is full (LimitExceededException), When it is applied, Then the fallback policy is attached to the same user instead, and the outcome is the attach call with a detail', async () => {
    mocks.iam.on(PutUserPolicyCommand).rejects(awsError('LimitExceededException'));
    mocks.iam.on(AttachUserPolicyCommand).resolves(ok('req-attach'));

    const outcome = await handler(RETIRE_KIND.putDenyPolicy).apply(inlineParams());

    expect(callNames()).toEqual(['PutUserPolicyCommand', 'AttachUserPolicyCommand']);
    expect(inputsOf(AttachUserPolicyCommand)).toEqual([{ UserName: 'alice', PolicyArn: AWS_DENY_ALL }]);
    expect(outcome.requestId).toBe('req-attach');
    expect(outcome.detail).toContain(AWS_DENY_ALL);
  });

  it('Given LimitExceededException and then the fallback attach denied, When it is applied, Then the attach error propagates', async () => {
    mocks.iam.on(PutUserPolicyCommand).rejects(awsError('LimitExceededException'));
    mocks.iam.on(AttachUserPolicyCommand).rejects(awsError('AccessDenied'));

    const error = await caught(handler(RETIRE_KIND.putDenyPolicy).apply(inlineParams()));

    expect(error).toMatchObject({ name: 'AccessDenied' });
    expect(callNames()).toEqual(['PutUserPolicyCommand', 'AttachUserPolicyCommand']);
  });

  it('Given LimitExceededException and no fallback policy in the params, When it is applied, Then the error propagates and nothing is attached', async () => {
    mocks.iam.on(PutUserPolicyCommand).rejects(awsError('LimitExceededException'));

    const error = await caught(handler(RETIRE_KIND.putDenyPolicy).apply(inlineParams({ fallbackPolicyArn: undefined })));

    expect(error).toMatchObject({ name: 'LimitExceededException' });
    expect(callNames()).toEqual(['PutUserPolicyCommand']);
  });

  it.each([
    ['AccessDenied', awsError('AccessDenied')],
    ['a throttle', awsError('Throttling')],
    ['no answer (an error without $metadata: network)', Object.assign(new Error('socket hang up'), { name: 'TimeoutError' })],
  ])('Given IAM answers %s, When it is applied, Then the error propagates and no fallback is tried', async (_label, failure) => {
    mocks.iam.on(PutUserPolicyCommand).rejects(failure);
    mocks.iam.on(AttachUserPolicyCommand).resolves(ok());

    const error = await caught(handler(RETIRE_KIND.putDenyPolicy).apply(inlineParams()));

    expect(error).toBe(failure);
    expect(mocks.iam.commandCalls(AttachUserPolicyCommand)).toHaveLength(0);
  });

  it('Given the inline policy or the fallback already there, When isDone is asked, Then it is true; with neither, false', async () => {
    mocks.iam.on(GetUserPolicyCommand).resolves({ UserName: 'alice', PolicyName: DENY_ALL_POLICY_NAME, PolicyDocument: '{}', ...ok() });
    expect(await handler(RETIRE_KIND.putDenyPolicy).isDone(inlineParams())).toBe(true);

    mocks.iam.reset();
    aliceHas({ inline: false, attached: [AWS_DENY_ALL] });
    expect(await handler(RETIRE_KIND.putDenyPolicy).isDone(inlineParams())).toBe(true);
    expect(inputsOf(GetUserPolicyCommand)).toEqual([{ UserName: 'alice', PolicyName: DENY_ALL_POLICY_NAME }]);
    expect(inputsOf(ListAttachedUserPoliciesCommand)[0]).toMatchObject({ UserName: 'alice' });

    aliceHas({ inline: false, attached: [READ_ONLY] });
    expect(await handler(RETIRE_KIND.putDenyPolicy).isDone(inlineParams())).toBe(false);
  });

  it('Given the fallback attached but no fallback policy in the params, When isDone is asked, Then it is false: only the inline policy counts', async () => {
    aliceHas({ inline: false, attached: [AWS_DENY_ALL] });
    expect(await handler(RETIRE_KIND.putDenyPolicy).isDone(inlineParams({ fallbackPolicyArn: undefined }))).toBe(false);
  });

  it('Given GetUserPolicy is denied, When isDone is asked, Then the error propagates rather than answering "not there"', async () => {
    mocks.iam.on(GetUserPolicyCommand).rejects(awsError('AccessDenied'));
    expect(await caught(handler(RETIRE_KIND.putDenyPolicy).isDone(inlineParams()))).toMatchObject({ name: 'AccessDenied' });
  });
});

describe('AttachDenyAllUserPolicy', () => {
  it('Given a user, When it is applied, Then exactly one AttachUserPolicy is sent, naming the user and the policy', async () => {
    mocks.iam.on(AttachUserPolicyCommand).resolves(ok('req-attach'));

    const outcome = await handler(RETIRE_KIND.attachDenyPolicy).apply(managedParams());

    expect(outcome.requestId).toBe('req-attach');
    expect(callNames()).toEqual(['AttachUserPolicyCommand']);
    expect(inputsOf(AttachUserPolicyCommand)).toEqual([{ UserName: 'alice', PolicyArn: AWS_DENY_ALL }]);
  });

  it('Given IAM answers AccessDenied, When it is applied, Then the error propagates', async () => {
    mocks.iam.on(AttachUserPolicyCommand).rejects(awsError('AccessDenied'));
    expect(await caught(handler(RETIRE_KIND.attachDenyPolicy).apply(managedParams()))).toMatchObject({ name: 'AccessDenied' });
  });

  it('Given the policy attached, When isDone is asked, Then it is true; with only another policy attached, false', async () => {
    aliceHas({ inline: false, attached: [READ_ONLY, AWS_DENY_ALL] });
    expect(await handler(RETIRE_KIND.attachDenyPolicy).isDone(managedParams())).toBe(true);
    aliceHas({ inline: false, attached: [READ_ONLY] });
    expect(await handler(RETIRE_KIND.attachDenyPolicy).isDone(managedParams())).toBe(false);
  });
});

describe('DeactivateAccessKey', () => {
  it('Given an active key, When it is applied, Then exactly one UpdateAccessKey is sent, setting it Inactive and naming the user and the key', async () => {
    mocks.iam.on(UpdateAccessKeyCommand).resolves(ok('req-update'));

    const outcome = await handler(RETIRE_KIND.deactivateKey).apply(keyParams());

    expect(outcome.requestId).toBe('req-update');
    expect(callNames()).toEqual(['UpdateAccessKeyCommand']);
    expect(inputsOf(UpdateAccessKeyCommand)).toEqual([{ UserName: 'alice', AccessKeyId: KEY_ID, Status: 'Inactive' }]);
  });

  it.each([
    ['AccessDenied', awsError('AccessDenied')],
    ['no answer (network error)', Object.assign(new Error('ECONNRESET'), { name: 'Error' })],
  ])('Given IAM answers %s, When it is applied, Then the error propagates', async (_label, failure) => {
    mocks.iam.on(UpdateAccessKeyCommand).rejects(failure);
    expect(await caught(handler(RETIRE_KIND.deactivateKey).apply(keyParams()))).toBe(failure);
    expect(callNames()).toEqual(['UpdateAccessKeyCommand']);
  });

  it.each([
    ['Inactive', [{ AccessKeyId: KEY_ID, Status: 'Inactive' as const, UserName: 'alice' }], true],
    ['absent (deleted since the plan)', [{ AccessKeyId: 'AKIAOTHER0000000009', Status: 'Active' as const, UserName: 'alice' }], true],
    ['Active', [{ AccessKeyId: KEY_ID, Status: 'Active' as const, UserName: 'alice' }], false],
  ])('Given the key is %s, When isDone is asked, Then it answers accordingly', async (_label, keys, expected) => {
    mocks.iam.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: keys, IsTruncated: false, ...ok() });

    expect(await handler(RETIRE_KIND.deactivateKey).isDone(keyParams())).toBe(expected);
    expect(inputsOf(ListAccessKeysCommand)[0]).toMatchObject({ UserName: 'alice' });
  });
});

describe('A handler given an invalid user name', () => {
  const invalidNames = ['', 'a b', '/../../../escaped'];
  const cases: [string, (userName: string) => unknown][] = [
    [RETIRE_KIND.putDenyPolicy, (userName) => inlineParams({ userName })],
    [RETIRE_KIND.attachDenyPolicy, (userName) => managedParams({ userName })],
    [RETIRE_KIND.deactivateKey, (userName) => keyParams({ userName })],
    [RETIRE_KIND.deleteDenyPolicy, (userName) => inlineParams({ userName })],
    [RETIRE_KIND.detachDenyPolicy, (userName) => managedParams({ userName })],
    [RETIRE_KIND.reactivateKey, (userName) => keyParams({ userName })],
  ];

  function answerEverything() {
    // Were a request to go out, it would succeed: only the name check can stop it.
    mocks.iam.on(GetUserCommand).resolves({ User: sdkUser('caller', ALICE.userId), ...ok() });
    mocks.iam.on(GetUserPolicyCommand).resolves({ UserName: 'caller', PolicyName: DENY_ALL_POLICY_NAME, PolicyDocument: '{}', ...ok() });
    mocks.iam.on(ListAttachedUserPoliciesCommand).resolves({ AttachedPolicies: [{ PolicyName: 'AWSDenyAll', PolicyArn: AWS_DENY_ALL }], IsTruncated: false, ...ok() });
    mocks.iam.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [{ AccessKeyId: KEY_ID, Status: 'Active' }], IsTruncated: false, ...ok() });
    for (const command of [PutUserPolicyCommand, AttachUserPolicyCommand, UpdateAccessKeyCommand, DeleteUserPolicyCommand, DetachUserPolicyCommand]) mocks.iam.on(command as never).resolves(ok() as never);
  }

  for (const [kind, params] of cases) {
    for (const name of invalidNames) {
      it(`Given ${kind} with userName ${JSON.stringify(name)}, When it is applied or asked isDone, Then it is refused as EMPTY_USER_NAME before any SDK call`, async () => {
        answerEverything();

        const applied = await caught(handler(kind).apply(params(name)));
        expect(applied).toBeInstanceOf(Fault);
        expect(applied).toMatchObject({ code: 'EMPTY_USER_NAME' });
        expect(await caught(handler(kind).isDone(params(name)))).toMatchObject({ code: 'EMPTY_USER_NAME' });

        expect(mocks.iam.calls()).toHaveLength(0);
      });
    }
  }
});

describe('Enable handlers check that the user is the one disable changed', () => {
  const RECREATED = sdkUser('alice', 'AIDAALICE0000000099');
  const cases: [string, unknown, (new (input: never) => unknown)[]][] = [
    [RETIRE_KIND.reactivateKey, keyParams(), [UpdateAccessKeyCommand as never]],
    [RETIRE_KIND.deleteDenyPolicy, inlineParams(), [DeleteUserPolicyCommand as never, DetachUserPolicyCommand as never]],
    [RETIRE_KIND.detachDenyPolicy, managedParams(), [DetachUserPolicyCommand as never]],
  ];

  for (const [kind, params, changes] of cases) {
    it(`Given ${kind} and the user re-created under the same name (another UserId), When it is applied, Then it fails with USER_RECREATED and no change is sent`, async () => {
      aliceHas({ inline: true, attached: [AWS_DENY_ALL] });
      mocks.iam.on(GetUserCommand).resolves({ User: RECREATED, ...ok() });
      for (const change of changes) mocks.iam.on(change as never).resolves(ok() as never);

      const error = await caught(handler(kind).apply(params));

      expect(error).toBeInstanceOf(Fault);
      expect(error).toMatchObject({ code: 'USER_RECREATED' });
      expect(inputsOf(GetUserCommand)).toEqual([{ UserName: 'alice' }]);
      expect(callNames()).toEqual(['GetUserCommand']);
    });
  }

  it('Given the same user, When ReactivateAccessKey is applied, Then GetUser comes first, then UpdateAccessKey sets the key Active naming the user', async () => {
    mocks.iam.on(GetUserCommand).resolves({ User: sdkUser('alice', ALICE.userId), ...ok() });
    mocks.iam.on(UpdateAccessKeyCommand).resolves(ok('req-active'));

    const outcome = await handler(RETIRE_KIND.reactivateKey).apply(keyParams());

    expect(callNames()).toEqual(['GetUserCommand', 'UpdateAccessKeyCommand']);
    expect(inputsOf(UpdateAccessKeyCommand)).toEqual([{ UserName: 'alice', AccessKeyId: KEY_ID, Status: 'Active' }]);
    expect(outcome.requestId).toBe('req-active');
  });

  it('Given the key was deleted since disable, When ReactivateAccessKey is applied, Then it succeeds with nothing to reactivate, so enable does not fail on it forever', async () => {
    mocks.iam.on(GetUserCommand).resolves({ User: sdkUser('alice', ALICE.userId), ...ok() });
    mocks.iam.on(UpdateAccessKeyCommand).rejects(awsError('NoSuchEntityException'));

    const outcome = await handler(RETIRE_KIND.reactivateKey).apply(keyParams());

    expect(outcome.requestId).toBeNull();
    expect(outcome.detail).toContain(KEY_ID);
  });

  it('Given ReactivateAccessKey denied, When it is applied, Then the error propagates', async () => {
    mocks.iam.on(GetUserCommand).resolves({ User: sdkUser('alice', ALICE.userId), ...ok() });
    mocks.iam.on(UpdateAccessKeyCommand).rejects(awsError('AccessDenied'));
    expect(await caught(handler(RETIRE_KIND.reactivateKey).apply(keyParams()))).toMatchObject({ name: 'AccessDenied' });
  });

  it('Given the same user, When DetachDenyAllUserPolicy is applied, Then DetachUserPolicy names the user and AWSDenyAll', async () => {
    mocks.iam.on(GetUserCommand).resolves({ User: sdkUser('alice', ALICE.userId), ...ok() });
    mocks.iam.on(DetachUserPolicyCommand).resolves(ok('req-detach'));

    const outcome = await handler(RETIRE_KIND.detachDenyPolicy).apply(managedParams());

    expect(callNames()).toEqual(['GetUserCommand', 'DetachUserPolicyCommand']);
    expect(inputsOf(DetachUserPolicyCommand)).toEqual([{ UserName: 'alice', PolicyArn: AWS_DENY_ALL }]);
    expect(outcome.requestId).toBe('req-detach');
  });

  it('Given the user no longer exists, When an enable handler is applied, Then the GetUser error propagates and no change is sent', async () => {
    mocks.iam.on(GetUserCommand).rejects(awsError('NoSuchEntityException'));
    expect(await caught(handler(RETIRE_KIND.reactivateKey).apply(keyParams()))).toMatchObject({ name: 'NoSuchEntityException' });
    expect(mocks.iam.commandCalls(UpdateAccessKeyCommand)).toHaveLength(0);
  });
});

describe('DeleteDenyAllUserPolicy removes whichever deny-all disable left', () => {
  const apply = (params: InlinePolicyParams = inlineParams()) => handler(RETIRE_KIND.deleteDenyPolicy).apply(params);
  const isDone = (params: InlinePolicyParams = inlineParams()) => handler(RETIRE_KIND.deleteDenyPolicy).isDone(params);

  function answerChanges() {
    mocks.iam.on(DeleteUserPolicyCommand).resolves(ok('req-delete'));
    mocks.iam.on(DetachUserPolicyCommand).resolves(ok('req-detach'));
  }

  it('Given only the inline policy there, When it is applied, Then DeleteUserPolicy names the user and iam2idc-deny-all, after GetUser, and nothing is detached', async () => {
    aliceHas({ inline: true, attached: [READ_ONLY] });
    answerChanges();

    const outcome = await apply();

    expect(callNames()[0]).toBe('GetUserCommand');
    expect(inputsOf(DeleteUserPolicyCommand)).toEqual([{ UserName: 'alice', PolicyName: 'iam2idc-deny-all' }]);
    expect(mocks.iam.commandCalls(DetachUserPolicyCommand)).toHaveLength(0);
    expect(outcome.requestId).toBe('req-delete');
  });

  it('Given only the fallback attached, When it is applied, Then DetachUserPolicy of the fallback is sent, nothing is deleted, and the outcome says so', async () => {
    aliceHas({ inline: false, attached: [READ_ONLY, AWS_DENY_ALL] });
    answerChanges();

    const outcome = await apply();

    expect(callNames()[0]).toBe('GetUserCommand');
    expect(inputsOf(DetachUserPolicyCommand)).toEqual([{ UserName: 'alice', PolicyArn: AWS_DENY_ALL }]);
    expect(mocks.iam.commandCalls(DeleteUserPolicyCommand)).toHaveLength(0);
    expect(outcome.requestId).toBe('req-detach');
    expect(outcome.detail).toContain(AWS_DENY_ALL);
  });

  it('Given both there, When it is applied, Then the inline policy is deleted and the fallback detached', async () => {
    aliceHas({ inline: true, attached: [AWS_DENY_ALL] });
    answerChanges();

    await apply();

    expect(inputsOf(DeleteUserPolicyCommand)).toEqual([{ UserName: 'alice', PolicyName: 'iam2idc-deny-all' }]);
    expect(inputsOf(DetachUserPolicyCommand)).toEqual([{ UserName: 'alice', PolicyArn: AWS_DENY_ALL }]);
  });

  it('Given neither there, When it is applied, Then no change is sent', async () => {
    aliceHas({ inline: false, attached: [READ_ONLY] });
    answerChanges();

    const outcome = await apply();

    expect(mocks.iam.commandCalls(DeleteUserPolicyCommand)).toHaveLength(0);
    expect(mocks.iam.commandCalls(DetachUserPolicyCommand)).toHaveLength(0);
    expect(outcome.requestId).toBeNull();
  });

  it('Given the deny-all policy attached but no fallback policy in the params, When it is applied, Then only the inline policy is deleted: a policy the params do not name is left alone', async () => {
    aliceHas({ inline: true, attached: [AWS_DENY_ALL] });
    answerChanges();

    await apply(inlineParams({ fallbackPolicyArn: undefined }));

    expect(inputsOf(DeleteUserPolicyCommand)).toEqual([{ UserName: 'alice', PolicyName: 'iam2idc-deny-all' }]);
    expect(mocks.iam.commandCalls(DetachUserPolicyCommand)).toHaveLength(0);
  });

  it('Given DeleteUserPolicy denied, When it is applied, Then the error propagates and the fallback is not detached', async () => {
    aliceHas({ inline: true, attached: [AWS_DENY_ALL] });
    mocks.iam.on(DeleteUserPolicyCommand).rejects(awsError('AccessDenied'));
    mocks.iam.on(DetachUserPolicyCommand).resolves(ok());

    expect(await caught(apply())).toMatchObject({ name: 'AccessDenied' });
    expect(mocks.iam.commandCalls(DetachUserPolicyCommand)).toHaveLength(0);
  });

  it('Given DetachUserPolicy of the fallback denied, When it is applied, Then the error propagates', async () => {
    aliceHas({ inline: false, attached: [AWS_DENY_ALL] });
    mocks.iam.on(DetachUserPolicyCommand).rejects(awsError('AccessDenied'));

    expect(await caught(apply())).toMatchObject({ name: 'AccessDenied' });
  });

  it.each([
    ['the inline policy only', { inline: true, attached: [] }, false],
    ['the fallback only', { inline: false, attached: [AWS_DENY_ALL] }, false],
    ['both', { inline: true, attached: [AWS_DENY_ALL] }, false],
    ['neither (another managed policy attached)', { inline: false, attached: [READ_ONLY] }, true],
    ['neither', { inline: false, attached: [] }, true],
  ])('Given %s there, When isDone is asked, Then it answers accordingly', async (_label, state, expected) => {
    aliceHas(state);

    expect(await isDone()).toBe(expected);
    expect(inputsOf(GetUserPolicyCommand)).toEqual([{ UserName: 'alice', PolicyName: 'iam2idc-deny-all' }]);
  });

  it('Given no fallback policy in the params and the deny-all policy attached, When isDone is asked, Then only the inline policy counts', async () => {
    aliceHas({ inline: false, attached: [AWS_DENY_ALL] });
    expect(await isDone(inlineParams({ fallbackPolicyArn: undefined }))).toBe(true);
    aliceHas({ inline: true, attached: [] });
    expect(await isDone(inlineParams({ fallbackPolicyArn: undefined }))).toBe(false);
  });

  it('Given GetUserPolicy is denied, When isDone is asked, Then the error propagates', async () => {
    mocks.iam.on(GetUserPolicyCommand).rejects(awsError('AccessDenied'));
    expect(await caught(isDone())).toMatchObject({ name: 'AccessDenied' });
  });
});

describe('isDone of the other enable handlers', () => {
  it('Given AWSDenyAll not attached, When DetachDenyAllUserPolicy is asked isDone, Then it is true; attached, false', async () => {
    aliceHas({ inline: false, attached: [READ_ONLY] });
    expect(await handler(RETIRE_KIND.detachDenyPolicy).isDone(managedParams())).toBe(true);
    aliceHas({ inline: false, attached: [AWS_DENY_ALL] });
    expect(await handler(RETIRE_KIND.detachDenyPolicy).isDone(managedParams())).toBe(false);
  });

  it.each([
    ['Active', 'Active' as const, true],
    ['Inactive', 'Inactive' as const, false],
  ])('Given the key is %s, When ReactivateAccessKey is asked isDone, Then it answers accordingly', async (_label, status, expected) => {
    mocks.iam.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [{ AccessKeyId: KEY_ID, Status: status }], IsTruncated: false, ...ok() });
    expect(await handler(RETIRE_KIND.reactivateKey).isDone(keyParams())).toBe(expected);
  });
});

describe('Inverses of the disable actions', () => {
  function planned<P>(kind: string, id: string, params: P): PlannedAction<P> {
    return {
      id,
      kind,
      service: 'iam',
      target: 'user alice',
      risk: 'narrowing',
      preview: 'disable alice',
      params,
      dependsOn: ['user/alice/backup'],
      fingerprint: 'fp-alice',
      principal: { userName: ALICE.userName, userId: ALICE.userId },
    };
  }

  const cases: [string, string, string, unknown][] = [
    [RETIRE_KIND.putDenyPolicy, RETIRE_KIND.deleteDenyPolicy, 'user/alice/deny-policy', inlineParams()],
    [RETIRE_KIND.attachDenyPolicy, RETIRE_KIND.detachDenyPolicy, 'user/alice/deny-managed', managedParams()],
    [RETIRE_KIND.deactivateKey, RETIRE_KIND.reactivateKey, `user/alice/key/${KEY_ID}`, keyParams()],
  ];

  for (const [kind, undoKind, id, params] of cases) {
    it(`Given ${kind}, When its inverse is asked, Then it is ${undoKind} with id ${id}/undo, broadening, the same params and no dependencies`, () => {
      const inverse = handler(kind).inverse?.(planned(kind, id, params));

      expect(inverse).toMatchObject({ id: `${id}/undo`, kind: undoKind, risk: 'broadening', service: 'iam', params, dependsOn: [] });
      expect(inverse?.principal).toEqual({ userName: ALICE.userName, userId: ALICE.userId });
      // The undo is an action the registry can run, and means what its own kind says.
      const undo = registry().get(undoKind);
      expect(undo?.risk).toBe(inverse?.risk);
      expect(undo?.params?.parse(inverse?.params)).toEqual(params);
    });
  }

  it('Given PutDenyAllUserPolicy with a fallback, When its inverse is asked, Then the fallback policy stays in the params, so the undo can detach it', () => {
    const inverse = handler(RETIRE_KIND.putDenyPolicy).inverse?.(planned(RETIRE_KIND.putDenyPolicy, 'user/alice/deny-policy', inlineParams()));
    expect(inverse?.params).toMatchObject({ policyName: DENY_ALL_POLICY_NAME, fallbackPolicyArn: AWS_DENY_ALL });
  });

  it.each([RETIRE_KIND.deleteDenyPolicy, RETIRE_KIND.detachDenyPolicy, RETIRE_KIND.reactivateKey])('Given %s, When its inverse is asked, Then there is none', (kind) => {
    expect(registry().get(kind)?.inverse).toBeUndefined();
  });
});
