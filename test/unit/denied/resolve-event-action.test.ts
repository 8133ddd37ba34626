import { describe, expect, it } from 'vitest';
import { EventActionResolver } from '../../../src/phases/watch-denied/resolve-event-action.js';

const event = (eventSource: string, eventName: string) => ({ eventSource, eventName });

describe('EventActionResolver.resolve: the action named in the message', () => {
  it('Given a known action in the message, When resolved, Then it wins over the event mapping', async () => {
    const resolver = new EventActionResolver();

    // ListObjectsV2 would map to s3:ListBucket too; GetObject proves the message is preferred.
    expect(await resolver.resolve(event('s3.amazonaws.com', 'GetObject'), 's3:ListBucket')).toEqual({ action: 's3:ListBucket', known: true });
  });

  it('Given the event ListObjectsV2 and the message action s3:ListBucket, When resolved, Then it is the known s3:ListBucket', async () => {
    const resolver = new EventActionResolver();

    expect(await resolver.resolve(event('s3.amazonaws.com', 'ListObjectsV2'), 's3:ListBucket')).toEqual({ action: 's3:ListBucket', known: true });
  });

  it('Given a message action in another casing, When resolved, Then it is written in the documented spelling', async () => {
    const resolver = new EventActionResolver();

    expect(await resolver.resolve(event('s3.amazonaws.com', 'GetObject'), 'S3:getobject')).toEqual({ action: 's3:GetObject', known: true });
  });

  it('Given an unknown action in the message, When resolved, Then the event mapping is used', async () => {
    const resolver = new EventActionResolver();

    expect(await resolver.resolve(event('s3.amazonaws.com', 'ListObjectsV2'), 'foo:Bar')).toEqual({ action: 's3:ListBucket', known: true });
  });

  it('Given an unknown action in the message and an event without mapping, When resolved, Then the message action is kept as unknown', async () => {
    const resolver = new EventActionResolver();

    expect(await resolver.resolve(event('nosuchservice.amazonaws.com', 'DoThing'), 'foo:Bar')).toEqual({ action: 'foo:Bar', known: false });
  });
});

describe('EventActionResolver.resolve: from the event', () => {
  it.each([
    ['s3.amazonaws.com', 'ListObjectsV2', 's3:ListBucket'],
    ['s3.amazonaws.com', 'GetObject', 's3:GetObject'],
    ['lambda.amazonaws.com', 'GetFunction20150331v2', 'lambda:GetFunction'],
    ['monitoring.amazonaws.com', 'GetMetricData', 'cloudwatch:GetMetricData'],
    ['iam.amazonaws.com', 'CreateUser', 'iam:CreateUser'],
  ])('Given %s %s and no action in the message, When resolved, Then it is the known %s', async (source, name, expected) => {
    const resolver = new EventActionResolver();

    expect(await resolver.resolve(event(source, name), null)).toEqual({ action: expected, known: true });
  });

  it.each([
    ['nosuchservice.amazonaws.com', 'DoThing', 'nosuchservice:DoThing'],
    ['s3.amazonaws.com', 'NoSuchOperation', 's3:NoSuchOperation'],
    ['nosuchservice.amazonaws.com.cn', 'DoThing', 'nosuchservice:DoThing'],
    ['signin.amazonaws.com', 'ConsoleLogin', 'signin:ConsoleLogin'],
  ])('Given the unmapped event %s %s, When resolved, Then the guess is %s and it is unknown', async (source, name, expected) => {
    const resolver = new EventActionResolver();

    expect(await resolver.resolve(event(source, name), null)).toEqual({ action: expected, known: false });
  });

  it('Given the same events resolved many times, When resolved again, Then the answers do not change (cached)', async () => {
    const resolver = new EventActionResolver();
    const inputs: Array<[ReturnType<typeof event>, string | null]> = [
      [event('s3.amazonaws.com', 'ListObjectsV2'), null],
      [event('s3.amazonaws.com', 'ListObjectsV2'), 's3:GetObject'],
      [event('nosuchservice.amazonaws.com', 'DoThing'), null],
      [event('s3.amazonaws.com', 'ListObjectsV2'), 'foo:Bar'],
    ];
    const first = await Promise.all(inputs.map(([e, a]) => resolver.resolve(e, a)));
    const second = await Promise.all(inputs.map(([e, a]) => resolver.resolve(e, a)));

    expect(first).toEqual([
      { action: 's3:ListBucket', known: true },
      { action: 's3:GetObject', known: true },
      { action: 'nosuchservice:DoThing', known: false },
      { action: 's3:ListBucket', known: true },
    ]);
    expect(second).toEqual(first);
  });
});
