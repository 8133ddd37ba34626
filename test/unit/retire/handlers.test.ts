import { readdir } from 'node:fs/promises';
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
  type User,
} from '@aws-sdk/client-iam';
import { beforeEach, describe, expect, it } from 'vitest';
import { Fault } from '../../../src/errors.js';
import type { ActionRegistry } from '../../../src/plan/plan-types.js';
import { DisableRecorder } from '../../../src/services/retire/disable-recorder.js';
import {
  createRetireRegistry,
  DENY_ALL_POLICY_NAME,
  RETIRE_KIND,
  type AccessKeyParams,
  type InlinePolicyParams,
  type ManagedPolicyParams,
  type RetireContext,
} from '../../../src/services/retire/retire-handlers.js';
import { readDisableRecord } from '../../../src/workspace/disable-records.js';
import { FileTrust } from '../../../src/workspace/file-seals.js';
import { ACCOUNT_ID } from './support/fake-iam-users.js';
import { journalSealer } from './support/held-run.js';
import { NOW, usePlanTestContext } from '../plan/support/plan-harness.js';
import { awsError, mockAws } from '../support/aws-mocks.js';
import { caught } from '../support/caught.js';

const { mocks, clients } = mockAws();
const context = usePlanTestContext();

const AWS_DENY_ALL = 'arn:aws:iam::aws:policy/AWSDenyAll';
const ALICE = { userName: 'alice', userId: 'AIDAALICE0000000001' };
const ok = (requestId = 'req-ok') => ({ $metadata: { requestId } });
const signal = () => new AbortController().signal;

// What this test's records are checked against: the journal's digests, as a run keeps them.
let trust = new FileTrust(ACCOUNT_ID, []);
beforeEach(() => {
  trust = new FileTrust(ACCOUNT_ID, []);
});

function registry(): ActionRegistry<RetireContext> {
  const sealer = journalSealer(context.workspace, (path, sha256) => trust.remember(path, sha256));
  return createRetireRegistry({ iam: clients.iam, recorder: new DisableRecorder({ workspace: context.workspace, now: () => NOW, accountId: ACCOUNT_ID, trust, sealer }) });
}

/** The handler of `kind`, bound to a fresh registry's context. */
function handler(kind: string) {
  const r = registry();
  const h = r.get(kind);
  if (!h) throw new Error(`no handler ${kind}`);
  return {
    isDone: (params: unknown) => h.isDone(params, r.context, signal()),
    apply: (params: unknown) => h.apply(params, r.context, signal()),
  };
}

function iamUser(name: string, userId: string): User {
  return { UserName: name, UserId: userId, Arn: `arn:aws:iam::111111111111:user/${name}`, Path: '/', CreateDate: new Date('2020-01-01T00:00:00Z') };
}

const inlineParams = (over: Partial<InlinePolicyParams> = {}): InlinePolicyParams => ({ ...ALICE, policyName: DENY_ALL_POLICY_NAME, fallbackPolicyArn: AWS_DENY_ALL, ...over });
const keyParams = (over: Partial<AccessKeyParams> = {}): AccessKeyParams => ({ ...ALICE, accessKeyId: 'AKIAALICE00000000001', ...over });
const managedParams = (over: Partial<ManagedPolicyParams> = {}): ManagedPolicyParams => ({ ...ALICE, policyArn: AWS_DENY_ALL, ...over });

const record = (userName = ALICE.userName) => readDisableRecord(context.workspace, userName, trust);
const inputsOf = <T>(command: new (...args: never[]) => { input: T }) => mocks.iam.commandCalls(command as never).map((c) => c.args[0].input as T);

describe('PutDenyAllUserPolicy', () => {
  it('Given a user, When it is applied, Then PutUserPolicy names the user and iam2idc-deny-all with a Deny * on * document, and the record shows the deny policy done', async () => {
    let onDiskDuringCall: unknown = 'not read';
    mocks.iam.on(PutUserPolicyCommand).callsFake(async () => {
      onDiskDuringCall = (await record())?.denyPolicy;
      return ok('req-put');
    });

    const outcome = await handler(RETIRE_KIND.putDenyPolicy).apply(inlineParams());

    expect(outcome.requestId).toBe('req-put');
    const [input, ...more] = inputsOf(PutUserPolicyCommand);
    expect(more).toEqual([]);
    expect(input).toMatchObject({ UserName: 'alice', PolicyName: 'iam2idc-deny-all' });
    const document = JSON.parse(String(input?.PolicyDocument)) as { Statement: { Effect: string; Action: unknown; Resource: unknown; Condition?: unknown }[] };
    expect(document.Statement).toHaveLength(1);
    expect(document.Statement[0]).toMatchObject({ Effect: 'Deny', Action: '*', Resource: '*' });
    expect(document.Statement[0]?.Condition).toBeUndefined();
    expect(mocks.iam.commandCalls(AttachUserPolicyCommand)).toHaveLength(0);
    // The intent was on disk before the call reached IAM.
    expect(onDiskDuringCall).toMatchObject({ kind: 'inline', policyName: 'iam2idc-deny-all', state: 'intent' });
    const after = await record();
    expect(after).toMatchObject({ userName: 'alice', userId: ALICE.userId, completedAt: null, enabledAt: null, keys: [] });
    expect(after?.denyPolicy).toEqual({ kind: 'inline', policyName: 'iam2idc-deny-all', state: 'done', at: NOW.toISOString() });
  });

  it('Given the inline budget is full (LimitExceededException), When it is applied, Then AWSDenyAll is attached instead and the record shows the managed policy done, the inline intent withdrawn', async () => {
    mocks.iam.on(PutUserPolicyCommand).rejects(awsError('LimitExceededException'));
    let onDiskDuringAttach: unknown = 'not read';
    mocks.iam.on(AttachUserPolicyCommand).callsFake(async () => {
      onDiskDuringAttach = (await record())?.denyPolicy;
      return ok('req-attach');
    });

    const outcome = await handler(RETIRE_KIND.putDenyPolicy).apply(inlineParams());

    expect(mocks.iam.calls().map((c) => c.args[0].constructor.name)).toEqual(['PutUserPolicyCommand', 'AttachUserPolicyCommand']);
    expect(inputsOf(AttachUserPolicyCommand)).toEqual([{ UserName: 'alice', PolicyArn: AWS_DENY_ALL }]);
    expect(outcome.requestId).toBe('req-attach');
    expect(outcome.detail).toBeDefined();
    expect(onDiskDuringAttach).toMatchObject({ kind: 'managed', policyArn: AWS_DENY_ALL, state: 'intent' });
    expect((await record())?.denyPolicy).toEqual({ kind: 'managed', policyArn: AWS_DENY_ALL, state: 'done', at: NOW.toISOString() });
  });

  it('Given LimitExceededException and no fallback policy in the params, When it is applied, Then the error propagates, nothing is attached and the intent is withdrawn', async () => {
    mocks.iam.on(PutUserPolicyCommand).rejects(awsError('LimitExceededException'));

    const error = await caught(handler(RETIRE_KIND.putDenyPolicy).apply(inlineParams({ fallbackPolicyArn: undefined })));

    expect(error).toMatchObject({ name: 'LimitExceededException' });
    expect(mocks.iam.commandCalls(AttachUserPolicyCommand)).toHaveLength(0);
    expect((await record())?.denyPolicy).toBeNull();
  });

  it('Given IAM answers AccessDenied, When it is applied, Then the error propagates, no fallback is tried, and the record has no deny policy', async () => {
    mocks.iam.on(PutUserPolicyCommand).rejects(awsError('AccessDenied'));

    const error = await caught(handler(RETIRE_KIND.putDenyPolicy).apply(inlineParams()));

    expect(error).toMatchObject({ name: 'AccessDenied' });
    expect(mocks.iam.commandCalls(AttachUserPolicyCommand)).toHaveLength(0);
    const after = await record();
    expect(after).not.toBeNull();
    expect(after?.denyPolicy).toBeNull();
  });

  it('Given the call got no answer (an error without $metadata: network), When it is applied, Then the error propagates and the intent is kept for enable to check', async () => {
    mocks.iam.on(PutUserPolicyCommand).rejects(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }));

    const error = await caught(handler(RETIRE_KIND.putDenyPolicy).apply(inlineParams()));

    expect(error).toMatchObject({ name: 'TimeoutError' });
    expect((await record())?.denyPolicy).toMatchObject({ kind: 'inline', policyName: 'iam2idc-deny-all', state: 'intent' });
  });

  it('Given the inline policy or the fallback already there, When isDone is asked, Then it is true; with neither, false', async () => {
    mocks.iam.on(GetUserPolicyCommand).resolves({ UserName: 'alice', PolicyName: DENY_ALL_POLICY_NAME, PolicyDocument: '{}', ...ok() });
    expect(await handler(RETIRE_KIND.putDenyPolicy).isDone(inlineParams())).toBe(true);

    mocks.iam.reset();
    mocks.iam.on(GetUserPolicyCommand).rejects(awsError('NoSuchEntityException'));
    mocks.iam.on(ListAttachedUserPoliciesCommand).resolves({ AttachedPolicies: [{ PolicyName: 'AWSDenyAll', PolicyArn: AWS_DENY_ALL }], IsTruncated: false, ...ok() });
    expect(await handler(RETIRE_KIND.putDenyPolicy).isDone(inlineParams())).toBe(true);
    expect(inputsOf(GetUserPolicyCommand)).toEqual([{ UserName: 'alice', PolicyName: DENY_ALL_POLICY_NAME }]);
    expect(inputsOf(ListAttachedUserPoliciesCommand)[0]).toMatchObject({ UserName: 'alice' });

    mocks.iam.on(ListAttachedUserPoliciesCommand).resolves({ AttachedPolicies: [{ PolicyName: 'ReadOnlyAccess', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }], IsTruncated: false, ...ok() });
    expect(await handler(RETIRE_KIND.putDenyPolicy).isDone(inlineParams())).toBe(false);
  });

  it('Given GetUserPolicy is denied, When isDone is asked, Then the error propagates rather than answering "not there"', async () => {
    mocks.iam.on(GetUserPolicyCommand).rejects(awsError('AccessDenied'));
    expect(await caught(handler(RETIRE_KIND.putDenyPolicy).isDone(inlineParams()))).toMatchObject({ name: 'AccessDenied' });
  });
});

describe('AttachDenyAllUserPolicy', () => {
  it('Given a user, When it is applied, Then AttachUserPolicy names the user and the policy, and the record shows the managed policy done', async () => {
    mocks.iam.on(AttachUserPolicyCommand).resolves(ok());

    await handler(RETIRE_KIND.attachDenyPolicy).apply(managedParams());

    expect(inputsOf(AttachUserPolicyCommand)).toEqual([{ UserName: 'alice', PolicyArn: AWS_DENY_ALL }]);
    expect((await record())?.denyPolicy).toMatchObject({ kind: 'managed', policyArn: AWS_DENY_ALL, state: 'done' });
  });

  it('Given IAM answers AccessDenied, When it is applied, Then the record has no deny policy', async () => {
    mocks.iam.on(AttachUserPolicyCommand).rejects(awsError('AccessDenied'));
    expect(await caught(handler(RETIRE_KIND.attachDenyPolicy).apply(managedParams()))).toMatchObject({ name: 'AccessDenied' });
    expect((await record())?.denyPolicy).toBeNull();
  });
});

describe('DeactivateAccessKey', () => {
  it('Given an active key, When it is applied, Then UpdateAccessKey sets it Inactive naming the user and the key, and the record shows the key done, previously Active', async () => {
    let onDiskDuringCall: unknown = 'not read';
    mocks.iam.on(UpdateAccessKeyCommand).callsFake(async () => {
      onDiskDuringCall = (await record())?.keys;
      return ok('req-update');
    });

    const outcome = await handler(RETIRE_KIND.deactivateKey).apply(keyParams());

    expect(outcome.requestId).toBe('req-update');
    expect(inputsOf(UpdateAccessKeyCommand)).toEqual([{ UserName: 'alice', AccessKeyId: 'AKIAALICE00000000001', Status: 'Inactive' }]);
    expect(onDiskDuringCall).toEqual([{ accessKeyId: 'AKIAALICE00000000001', previousStatus: 'Active', state: 'intent', at: NOW.toISOString() }]);
    const after = await record();
    expect(after?.keys).toEqual([{ accessKeyId: 'AKIAALICE00000000001', previousStatus: 'Active', state: 'done', at: NOW.toISOString() }]);
    expect(after?.denyPolicy).toBeNull();
  });

  it('Given IAM answers AccessDenied, When it is applied, Then the key is withdrawn from the record', async () => {
    mocks.iam.on(UpdateAccessKeyCommand).rejects(awsError('AccessDenied'));
    expect(await caught(handler(RETIRE_KIND.deactivateKey).apply(keyParams()))).toMatchObject({ name: 'AccessDenied' });
    expect((await record())?.keys).toEqual([]);
  });

  it('Given no answer (network error), When it is applied, Then the key stays recorded as an intent', async () => {
    mocks.iam.on(UpdateAccessKeyCommand).rejects(Object.assign(new Error('ECONNRESET'), { name: 'Error' }));
    await caught(handler(RETIRE_KIND.deactivateKey).apply(keyParams()));
    expect((await record())?.keys).toMatchObject([{ accessKeyId: 'AKIAALICE00000000001', state: 'intent' }]);
  });

  it.each([
    ['Inactive', [{ AccessKeyId: 'AKIAALICE00000000001', Status: 'Inactive' as const, UserName: 'alice' }], true],
    ['absent (deleted since the plan)', [{ AccessKeyId: 'AKIAOTHER0000000009', Status: 'Active' as const, UserName: 'alice' }], true],
    ['Active', [{ AccessKeyId: 'AKIAALICE00000000001', Status: 'Active' as const, UserName: 'alice' }], false],
  ])('Given the key is %s, When isDone is asked, Then it answers accordingly', async (_label, keys, expected) => {
    mocks.iam.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: keys, IsTruncated: false, ...ok() });

    expect(await handler(RETIRE_KIND.deactivateKey).isDone(keyParams())).toBe(expected);
    expect(inputsOf(ListAccessKeysCommand)[0]).toMatchObject({ UserName: 'alice' });
  });
});

describe('A handler given an invalid user name', () => {
  const invalidNames = ['', 'a b'];
  const cases: [string, (userName: string) => unknown][] = [
    [RETIRE_KIND.putDenyPolicy, (userName) => inlineParams({ userName })],
    [RETIRE_KIND.attachDenyPolicy, (userName) => managedParams({ userName })],
    [RETIRE_KIND.deactivateKey, (userName) => keyParams({ userName })],
    [RETIRE_KIND.deleteDenyPolicy, (userName) => inlineParams({ userName, fallbackPolicyArn: undefined })],
    [RETIRE_KIND.detachDenyPolicy, (userName) => managedParams({ userName })],
    [RETIRE_KIND.reactivateKey, (userName) => keyParams({ userName })],
  ];

  function answerEverything() {
    // Were a request to go out, it would succeed: only the name check can stop it.
    mocks.iam.on(GetUserCommand).resolves({ User: iamUser('caller', ALICE.userId), ...ok() });
    mocks.iam.on(GetUserPolicyCommand).rejects(awsError('NoSuchEntityException'));
    mocks.iam.on(ListAttachedUserPoliciesCommand).resolves({ AttachedPolicies: [], IsTruncated: false, ...ok() });
    mocks.iam.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [{ AccessKeyId: 'AKIAALICE00000000001', Status: 'Active' }], IsTruncated: false, ...ok() });
    for (const command of [PutUserPolicyCommand, AttachUserPolicyCommand, UpdateAccessKeyCommand, DeleteUserPolicyCommand, DetachUserPolicyCommand]) mocks.iam.on(command as never).resolves(ok() as never);
  }

  for (const [kind, params] of cases) {
    for (const name of invalidNames) {
      it(`Given ${kind} with userName ${JSON.stringify(name)}, When it is applied or asked isDone, Then it throws before any SDK call`, async () => {
        answerEverything();

        expect(await caught(handler(kind).apply(params(name)))).toBeInstanceOf(Error);
        expect(await caught(handler(kind).isDone(params(name)))).toBeInstanceOf(Error);

        expect(mocks.iam.calls()).toHaveLength(0);
        expect(mocks.iam.commandCalls(UpdateAccessKeyCommand)).toHaveLength(0);
      });

      it(`Given ${kind} with userName ${JSON.stringify(name)}, When it is applied, Then it is refused as EMPTY_USER_NAME and nothing is written to the workspace`, async () => {
        answerEverything();

        const error = await caught(handler(kind).apply(params(name)));

        expect(error).toBeInstanceOf(Fault);
        expect(error).toMatchObject({ code: 'EMPTY_USER_NAME' });
        expect(await readdir(context.workspace.dir)).not.toContain('backups');
      });
    }
  }
});

describe('A handler given a user name that walks out of the workspace', () => {
  it.each([RETIRE_KIND.putDenyPolicy, RETIRE_KIND.attachDenyPolicy, RETIRE_KIND.deactivateKey])(
    'Given %s with userName "/../../../escaped", When it is applied, Then it is refused before any call and no file is written outside the workspace',
    async (kind) => {
      mocks.iam.on(PutUserPolicyCommand).resolves(ok());
      mocks.iam.on(AttachUserPolicyCommand).resolves(ok());
      mocks.iam.on(UpdateAccessKeyCommand).resolves(ok());
      const params = { ...keyParams(), ...managedParams(), ...inlineParams(), userName: '/../../../escaped' };

      const error = await caught(handler(kind).apply(params));

      expect(error).toMatchObject({ code: 'EMPTY_USER_NAME' });
      expect(mocks.iam.calls()).toHaveLength(0);
      expect(await readdir(context.root)).toEqual(['ws']);
    },
  );
});

describe('Enable handlers check that the user is the one disable changed', () => {
  const RECREATED = iamUser('alice', 'AIDAALICE0000000099');
  const cases: [string, unknown, new (input: never) => unknown][] = [
    [RETIRE_KIND.reactivateKey, keyParams(), UpdateAccessKeyCommand as never],
    [RETIRE_KIND.deleteDenyPolicy, inlineParams({ fallbackPolicyArn: undefined }), DeleteUserPolicyCommand as never],
    [RETIRE_KIND.detachDenyPolicy, managedParams(), DetachUserPolicyCommand as never],
  ];

  for (const [kind, params, change] of cases) {
    it(`Given ${kind} and the user re-created under the same name (another UserId), When it is applied, Then it fails with USER_RECREATED and the change is not sent`, async () => {
      mocks.iam.on(GetUserCommand).resolves({ User: RECREATED, ...ok() });
      mocks.iam.on(change as never).resolves(ok() as never);

      const error = await caught(handler(kind).apply(params));

      expect(error).toBeInstanceOf(Fault);
      expect(error).toMatchObject({ code: 'USER_RECREATED' });
      expect(inputsOf(GetUserCommand)).toEqual([{ UserName: 'alice' }]);
      expect(mocks.iam.commandCalls(change as never)).toHaveLength(0);
      expect(mocks.iam.calls()).toHaveLength(1);
    });
  }

  it('Given the same user, When ReactivateAccessKey is applied, Then GetUser comes first, then UpdateAccessKey sets the key Active naming the user', async () => {
    mocks.iam.on(GetUserCommand).resolves({ User: iamUser('alice', ALICE.userId), ...ok() });
    mocks.iam.on(UpdateAccessKeyCommand).resolves(ok('req-active'));

    const outcome = await handler(RETIRE_KIND.reactivateKey).apply(keyParams());

    expect(mocks.iam.calls().map((c) => c.args[0].constructor.name)).toEqual(['GetUserCommand', 'UpdateAccessKeyCommand']);
    expect(inputsOf(UpdateAccessKeyCommand)).toEqual([{ UserName: 'alice', AccessKeyId: 'AKIAALICE00000000001', Status: 'Active' }]);
    expect(outcome.requestId).toBe('req-active');
  });

  it('Given the key was deleted since disable, When ReactivateAccessKey is applied, Then it succeeds with nothing to reactivate, so enable does not fail on it forever', async () => {
    mocks.iam.on(GetUserCommand).resolves({ User: iamUser('alice', ALICE.userId), ...ok() });
    mocks.iam.on(UpdateAccessKeyCommand).rejects(awsError('NoSuchEntityException'));

    const outcome = await handler(RETIRE_KIND.reactivateKey).apply(keyParams());

    expect(outcome.requestId).toBeNull();
    expect(outcome.detail).toContain('AKIAALICE00000000001');
  });

  it('Given the same user, When DeleteDenyAllUserPolicy is applied, Then DeleteUserPolicy names the user and iam2idc-deny-all', async () => {
    mocks.iam.on(GetUserCommand).resolves({ User: iamUser('alice', ALICE.userId), ...ok() });
    mocks.iam.on(DeleteUserPolicyCommand).resolves(ok());

    await handler(RETIRE_KIND.deleteDenyPolicy).apply(inlineParams({ fallbackPolicyArn: undefined }));

    expect(inputsOf(DeleteUserPolicyCommand)).toEqual([{ UserName: 'alice', PolicyName: 'iam2idc-deny-all' }]);
  });

  it('Given the same user, When DetachDenyAllUserPolicy is applied, Then DetachUserPolicy names the user and AWSDenyAll', async () => {
    mocks.iam.on(GetUserCommand).resolves({ User: iamUser('alice', ALICE.userId), ...ok() });
    mocks.iam.on(DetachUserPolicyCommand).resolves(ok());

    await handler(RETIRE_KIND.detachDenyPolicy).apply(managedParams());

    expect(inputsOf(DetachUserPolicyCommand)).toEqual([{ UserName: 'alice', PolicyArn: AWS_DENY_ALL }]);
  });

  it('Given the user no longer exists, When an enable handler is applied, Then the GetUser error propagates and no change is sent', async () => {
    mocks.iam.on(GetUserCommand).rejects(awsError('NoSuchEntityException'));
    expect(await caught(handler(RETIRE_KIND.reactivateKey).apply(keyParams()))).toMatchObject({ name: 'NoSuchEntityException' });
    expect(mocks.iam.commandCalls(UpdateAccessKeyCommand)).toHaveLength(0);
  });
});

describe('isDone of the enable handlers', () => {
  it('Given GetUserPolicy answers NoSuchEntityException, When DeleteDenyAllUserPolicy is asked isDone, Then it is true; with the policy there, false', async () => {
    mocks.iam.on(GetUserPolicyCommand).rejects(awsError('NoSuchEntityException'));
    expect(await handler(RETIRE_KIND.deleteDenyPolicy).isDone(inlineParams({ fallbackPolicyArn: undefined }))).toBe(true);
    expect(inputsOf(GetUserPolicyCommand)).toEqual([{ UserName: 'alice', PolicyName: 'iam2idc-deny-all' }]);

    mocks.iam.on(GetUserPolicyCommand).resolves({ UserName: 'alice', PolicyName: DENY_ALL_POLICY_NAME, PolicyDocument: '{}', ...ok() });
    expect(await handler(RETIRE_KIND.deleteDenyPolicy).isDone(inlineParams({ fallbackPolicyArn: undefined }))).toBe(false);
  });

  it('Given GetUserPolicy is throttled, When DeleteDenyAllUserPolicy is asked isDone, Then the error propagates', async () => {
    mocks.iam.on(GetUserPolicyCommand).rejects(awsError('AccessDenied'));
    expect(await caught(handler(RETIRE_KIND.deleteDenyPolicy).isDone(inlineParams({ fallbackPolicyArn: undefined })))).toMatchObject({ name: 'AccessDenied' });
  });

  it('Given AWSDenyAll not attached, When DetachDenyAllUserPolicy is asked isDone, Then it is true; attached, false', async () => {
    mocks.iam.on(ListAttachedUserPoliciesCommand).resolves({ AttachedPolicies: [], IsTruncated: false, ...ok() });
    expect(await handler(RETIRE_KIND.detachDenyPolicy).isDone(managedParams())).toBe(true);
    mocks.iam.on(ListAttachedUserPoliciesCommand).resolves({ AttachedPolicies: [{ PolicyName: 'AWSDenyAll', PolicyArn: AWS_DENY_ALL }], IsTruncated: false, ...ok() });
    expect(await handler(RETIRE_KIND.detachDenyPolicy).isDone(managedParams())).toBe(false);
  });

  it.each([
    ['Active', 'Active' as const, true],
    ['Inactive', 'Inactive' as const, false],
  ])('Given the key is %s, When ReactivateAccessKey is asked isDone, Then it answers accordingly', async (_label, status, expected) => {
    mocks.iam.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [{ AccessKeyId: 'AKIAALICE00000000001', Status: status }], IsTruncated: false, ...ok() });
    expect(await handler(RETIRE_KIND.reactivateKey).isDone(keyParams())).toBe(expected);
  });
});
