import { Readable } from 'node:stream';
import type { HttpRequest, HttpResponse } from '@smithy/types';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AwsContext } from '../../../src/aws/aws-context.js';
import { collectAuthorizationDetails } from '../../../src/model/collect-authorization-details.js';

const THROTTLED = `<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`;
const PAGE = `<GetAccountAuthorizationDetailsResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
<GetAccountAuthorizationDetailsResult><IsTruncated>false</IsTruncated><UserDetailList><member>
<UserName>alice</UserName><UserId>AIDAFIXTURE00000001</UserId><Arn>arn:aws:iam::111111111111:user/alice</Arn><Path>/</Path>
<CreateDate>2024-01-01T00:00:00Z</CreateDate></member></UserDetailList></GetAccountAuthorizationDetailsResult>
<ResponseMetadata><RequestId>r-2</RequestId></ResponseMetadata></GetAccountAuthorizationDetailsResponse>`;

/** Answers from a script of (status, body) pairs on the wire, so the SDK's own retry logic runs. */
function scriptedHandler(script: { status: number; body: string }[]) {
  const seen: string[] = [];
  return {
    seen,
    handler: {
      handle: async (request: HttpRequest) => {
        seen.push(String(request.body));
        const next = script.shift() ?? { status: 500, body: THROTTLED };
        const response: HttpResponse = {
          statusCode: next.status,
          headers: { 'content-type': 'text/xml' },
          body: Readable.from([Buffer.from(next.body)]),
        };
        return { response };
      },
    },
  };
}

function contextWith(handler: ReturnType<typeof scriptedHandler>['handler']) {
  return new AwsContext({
    config: { profile: undefined, region: 'us-east-1', regionSource: 'flag', ssoProfile: false },
    credentials: async () => ({ accessKeyId: 'AKIDTEST', secretAccessKey: 'test' }),
    requestHandler: handler as never,
  });
}

/**
 * Settles `work` on a fake clock: each time the SDK waits (its backoff, its rate limiter), the clock
 * jumps to the end of the wait instead of the test sleeping through it.
 */
async function onFakeClock<T>(work: () => Promise<T>): Promise<T> {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  let settled = false;
  const running = work();
  const settle = () => {
    settled = true;
  };
  running.then(settle, settle);
  while (!settled) {
    // Let the request's real I/O run, then end the wait it is in, if any. A wait shorter than a
    // millisecond (the rate limiter's, as its bucket refills) still takes one, as it would for real.
    await new Promise((resolve) => setImmediate(resolve));
    const before = Date.now();
    await vi.advanceTimersToNextTimerAsync();
    if (Date.now() === before) await vi.advanceTimersByTimeAsync(1);
  }
  return running;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('AwsContext retries', () => {
  it('Given IAM throttles twice, When the inventory is read, Then the adaptive retry gets through and one API call is counted', async () => {
    const wire = scriptedHandler([
      { status: 400, body: THROTTLED },
      { status: 400, body: THROTTLED },
      { status: 200, body: PAGE },
    ]);
    const aws = contextWith(wire.handler);

    const details = await onFakeClock(() => collectAuthorizationDetails(aws.iam));

    expect(details.users.map((u) => u.userName)).toEqual(['alice']);
    expect(wire.seen).toHaveLength(3);
    expect(aws.apiCalls.snapshot()).toEqual({ total: 1, byOperation: { 'iam.GetAccountAuthorizationDetails': 1 } });
  });

  it('Given one client is used twice, When reading it again, Then the same instance is reused', () => {
    const aws = contextWith(scriptedHandler([]).handler);
    expect(aws.iam).toBe(aws.iam);
    expect(aws.ssoAdmin('eu-west-1')).not.toBe(aws.ssoAdmin('us-east-1'));
  });
});
