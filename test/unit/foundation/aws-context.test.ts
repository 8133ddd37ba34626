import { Readable } from 'node:stream';
import { CreateLoginProfileCommand, GetUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiCallCounter } from '../../../src/aws/api-call-counter.js';
import { AwsContext } from '../../../src/aws/aws-context.js';
import { instrumentClient } from '../../../src/aws/client-middleware.js';
import { redactSecrets } from '../../../src/redact-secrets.js';
import type { ResolvedAwsConfig } from '../../../src/aws/resolve-aws-config.js';

const ACCOUNT = '111111111111';
const CONFIG: ResolvedAwsConfig = { profile: undefined, region: 'us-east-1', regionSource: 'fallback', ssoProfile: false };
const STATIC_CREDENTIALS = async () => ({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' });
const SECRET = 'Sup3r-S3cret-Passw0rd!';

const IAM_NS = 'https://iam.amazonaws.com/doc/2010-05-08/';
const GET_USER_XML =
  `<GetUserResponse xmlns="${IAM_NS}"><GetUserResult><User><Path>/</Path><UserName>alice</UserName>` +
  `<UserId>AIDA00000000000000001</UserId><Arn>arn:aws:iam::${ACCOUNT}:user/alice</Arn>` +
  '<CreateDate>2020-01-01T00:00:00Z</CreateDate></User></GetUserResult>' +
  '<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></GetUserResponse>';
const CREATE_LOGIN_PROFILE_XML =
  `<CreateLoginProfileResponse xmlns="${IAM_NS}"><CreateLoginProfileResult><LoginProfile><UserName>alice</UserName>` +
  '<CreateDate>2024-01-01T00:00:00Z</CreateDate><PasswordResetRequired>true</PasswordResetRequired></LoginProfile>' +
  '</CreateLoginProfileResult><ResponseMetadata><RequestId>req-3</RequestId></ResponseMetadata></CreateLoginProfileResponse>';
const ACCESS_DENIED_XML =
  `<ErrorResponse xmlns="${IAM_NS}"><Error><Type>Sender</Type><Code>AccessDenied</Code>` +
  '<Message>not authorized</Message></Error><RequestId>req-2</RequestId></ErrorResponse>';

/** Answers every request locally with `xml`, so the real middleware stack runs and nothing reaches the network. */
function fakeHandler(statusCode: number, xml: string) {
  const hosts: string[] = [];
  const handler = {
    handle: async (request: { hostname: string }) => {
      hosts.push(request.hostname);
      return { response: { statusCode, headers: { 'content-type': 'text/xml' }, body: Readable.from([Buffer.from(xml)]) } };
    },
  };
  return { handler, hosts };
}

function answerLocally(client: IAMClient, statusCode: number, xml: string): string[] {
  const { handler, hosts } = fakeHandler(statusCode, xml);
  (client.config as unknown as { requestHandler: unknown }).requestHandler = handler;
  return hosts;
}

describe('redactSecrets', () => {
  it('Given pagination tokens, When redacted, Then they stay readable while session tokens do not', () => {
    const out = redactSecrets({ NextToken: 'page-2', nextToken: 'p2', Marker: 'm', SessionToken: SECRET, Token: SECRET }) as Record<string, unknown>;
    expect(out).toEqual({ NextToken: 'page-2', nextToken: 'p2', Marker: 'm', SessionToken: '<redacted>', Token: '<redacted>' });
  });

  it('Given secret fields at any depth, When redacted, Then their values are gone and other fields are kept', () => {
    const input = {
      UserName: 'alice',
      Password: SECRET,
      Credentials: { AccessKeyId: 'ASIA1', SecretAccessKey: SECRET, SessionToken: SECRET },
      AccessKey: { AccessKeyId: 'AKIA1', SecretAccessKey: SECRET, Status: 'Active' },
      Users: [{ UserName: 'bob', LoginProfile: { NewPassword: SECRET, OldPassword: SECRET } }, 'plain'],
      PrivateKey: SECRET,
      Content: new Uint8Array([1, 2, 3]),
      PolicyDocument: '{"Version":"2012-10-17"}',
    };
    const redacted = redactSecrets(input);
    expect(JSON.stringify(redacted)).not.toContain(SECRET);
    expect(redacted).toMatchObject({
      UserName: 'alice',
      AccessKey: { AccessKeyId: 'AKIA1', Status: 'Active' },
      Users: [{ UserName: 'bob' }, 'plain'],
      PolicyDocument: '{"Version":"2012-10-17"}',
    });
    expect(input.Password).toBe(SECRET);
  });

  it('Given raw bytes under a non-secret key, When redacted, Then only their size is kept', () => {
    const redacted = redactSecrets({ Body: new Uint8Array([104, 105]), Items: [new Uint8Array(4)] });
    expect(JSON.stringify(redacted)).not.toContain('104');
    expect(redacted).toEqual({ Body: expect.any(String), Items: [expect.any(String)] });
  });

  it.each([['text'], [42], [true], [null], [undefined]])('Given the primitive %j, When redacted, Then it is returned as is', (value) => {
    expect(redactSecrets(value)).toBe(value);
  });
});

describe('ApiCallCounter', () => {
  it('Given calls to several operations, When snapshotted, Then counts are per Service.Operation, sorted, with a total', () => {
    const counter = new ApiCallCounter();
    counter.record('sts', 'GetCallerIdentity');
    counter.record('iam', 'ListUsers');
    counter.record('iam', 'ListUsers');
    counter.record('iam', 'GetUser');
    expect(counter.total).toBe(4);
    const snapshot = counter.snapshot();
    expect(snapshot).toEqual({ total: 4, byOperation: { 'iam.GetUser': 1, 'iam.ListUsers': 2, 'sts.GetCallerIdentity': 1 } });
    expect(Object.keys(snapshot.byOperation)).toEqual(['iam.GetUser', 'iam.ListUsers', 'sts.GetCallerIdentity']);
  });

  it('Given no calls, When snapshotted, Then the total is zero', () => {
    expect(new ApiCallCounter().snapshot()).toEqual({ total: 0, byOperation: {} });
  });
});

describe('instrumentClient', () => {
  const clients: IAMClient[] = [];
  afterEach(() => {
    for (const client of clients.splice(0)) client.destroy();
  });

  function instrumented(statusCode: number, xml: string) {
    const client = new IAMClient({ region: 'us-east-1', credentials: STATIC_CREDENTIALS, maxAttempts: 1 });
    clients.push(client);
    const counter = new ApiCallCounter();
    const lines: string[] = [];
    instrumentClient(client, 'iam', counter, (line) => lines.push(line));
    answerLocally(client, statusCode, xml);
    return { client, counter, lines };
  }

  it('Given an instrumented client, When a call succeeds, Then it is counted and logged without secrets', async () => {
    const { client, counter, lines } = instrumented(200, CREATE_LOGIN_PROFILE_XML);
    const out = await client.send(new CreateLoginProfileCommand({ UserName: 'alice', Password: SECRET }));
    expect(out.LoginProfile?.PasswordResetRequired).toBe(true);
    expect(counter.snapshot().byOperation).toEqual({ 'iam.CreateLoginProfile': 1 });
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.join('\n')).not.toContain(SECRET);
    expect(lines.join('\n')).toContain('alice');
  });

  it('Given an instrumented client, When AWS answers AccessDenied, Then the call is counted and the error name is logged', async () => {
    const { client, counter, lines } = instrumented(403, ACCESS_DENIED_XML);
    await expect(client.send(new GetUserCommand({ UserName: 'alice' }))).rejects.toMatchObject({ name: 'AccessDenied' });
    expect(counter.total).toBe(1);
    expect(lines.at(-1)).toContain('AccessDenied');
  });

  it('Given a client instrumented twice, When a call is made, Then it is counted once', async () => {
    const { client, counter } = instrumented(200, GET_USER_XML);
    instrumentClient(client, 'iam', counter, undefined);
    await client.send(new GetUserCommand({ UserName: 'alice' }));
    expect(counter.total).toBe(1);
  });
});

describe('AwsContext', () => {
  let ctx: AwsContext | undefined;
  afterEach(() => {
    ctx?.destroy();
    ctx = undefined;
  });

  it('Given a context, When a client is read twice, Then the same instance is returned', () => {
    ctx = new AwsContext({ config: CONFIG, credentials: STATIC_CREDENTIALS });
    expect(ctx.iam).toBe(ctx.iam);
    expect(ctx.sts).toBe(ctx.sts);
    expect(ctx.organizations).toBe(ctx.organizations);
    expect(ctx.ssoAdmin()).toBe(ctx.ssoAdmin('us-east-1'));
    expect(ctx.identityStore('eu-west-1')).toBe(ctx.identityStore('eu-west-1'));
  });

  it('Given a context, When Identity Center clients are asked for another region, Then they are other instances in that region', async () => {
    ctx = new AwsContext({ config: CONFIG, credentials: STATIC_CREDENTIALS });
    const home = ctx.ssoAdmin();
    const remote = ctx.ssoAdmin('eu-west-1');
    expect(remote).not.toBe(home);
    await expect(remote.config.region()).resolves.toBe('eu-west-1');
    await expect(home.config.region()).resolves.toBe('us-east-1');
    expect(ctx.identityStore('eu-west-1')).not.toBe(ctx.identityStore());
  });

  it('Given a context, When clients are made, Then they all share its one credential provider', async () => {
    ctx = new AwsContext({ config: CONFIG, credentials: STATIC_CREDENTIALS });
    expect(ctx.credentials).toBe(STATIC_CREDENTIALS);
    await expect(ctx.iam.config.credentials()).resolves.toMatchObject({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE' });
    await expect(ctx.ssoAdmin('eu-west-1').config.credentials()).resolves.toMatchObject({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE' });
  });

  it('Given a context with a debug sink, When calls are sent through its clients, Then its counter counts each one', async () => {
    const lines: string[] = [];
    ctx = new AwsContext({ config: CONFIG, credentials: STATIC_CREDENTIALS, debug: (line) => lines.push(line) });
    const hosts = answerLocally(ctx.iam, 200, GET_USER_XML);
    const out = await ctx.iam.send(new GetUserCommand({ UserName: 'alice' }));
    await ctx.iam.send(new GetUserCommand({ UserName: 'alice' }));
    expect(out.User?.UserName).toBe('alice');
    expect(ctx.apiCalls.snapshot()).toEqual({ total: 2, byOperation: { 'iam.GetUser': 2 } });
    expect(hosts).toHaveLength(2);
    expect(lines.some((line) => line.includes('iam.GetUser'))).toBe(true);
  });

  it('Given a destroyed context, When a client is read again, Then a fresh one is built', () => {
    ctx = new AwsContext({ config: CONFIG, credentials: STATIC_CREDENTIALS });
    const before = ctx.iam;
    ctx.destroy();
    expect(ctx.iam).not.toBe(before);
  });

  it('Given a config region, When read, Then the context exposes it', () => {
    ctx = new AwsContext({ config: { ...CONFIG, region: 'ap-south-1' }, credentials: STATIC_CREDENTIALS });
    expect(ctx.region).toBe('ap-south-1');
  });
});
