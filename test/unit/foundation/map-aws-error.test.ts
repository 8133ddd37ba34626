import { NoSuchEntityException } from '@aws-sdk/client-iam';
import { ExpiredTokenException } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { mapAwsError } from '../../../src/aws/map-aws-error.js';
import { isAccessDenied, isCredentialError } from '../../../src/call-errors.js';
import type { ResolvedAwsConfig } from '../../../src/aws/resolve-aws-config.js';
import { AwsAuthError, Fault, SafetyRefusal, UserError } from '../../../src/errors.js';
import { ExitCode } from '../../../src/exit-codes.js';
import { awsError } from '../support/builders.js';

const DEFAULT_CHAIN: ResolvedAwsConfig = { profile: undefined, region: 'us-east-1', regionSource: 'fallback', ssoProfile: false };
const SSO: ResolvedAwsConfig = { profile: 'corp-admin', region: 'eu-west-1', regionSource: 'profile', ssoProfile: true };
const KEYS: ResolvedAwsConfig = { profile: 'ci-keys', region: 'eu-west-1', regionSource: 'profile', ssoProfile: false };

/** An error as the SDK raises it: with `$metadata` when AWS answered, without when it never did. */
const sdkError = (name: string, answered = true): Error =>
  awsError(name, { message: `${name} happened`, metadata: answered ? { httpStatusCode: 400, requestId: 'req-1' } : null });

describe('mapAwsError credentials', () => {
  it.each([
    ['CredentialsProviderError', false],
    ['TokenProviderError', false],
    ['ExpiredToken', true],
    ['ExpiredTokenException', true],
    ['InvalidClientTokenId', true],
    ['UnrecognizedClientException', true],
    ['SignatureDoesNotMatch', true],
    ['InvalidSignatureException', true],
    ['AuthFailure', true],
    ['InvalidAccessKeyId', true],
    ['MissingAuthenticationToken', true],
  ])('Given a %s error, When mapped, Then it is an AWS auth error with exit 4', (name, withMetadata) => {
    const original = sdkError(name, withMetadata);
    const mapped = mapAwsError(original, DEFAULT_CHAIN);
    expect(mapped).toBeInstanceOf(AwsAuthError);
    expect(mapped).toMatchObject({ code: 'AWS_CREDENTIALS', exitCode: ExitCode.AwsConfig });
    expect(mapped.cause).toBe(original);
    expect(isCredentialError(original)).toBe(true);
  });

  it('Given the SDK ExpiredTokenException class, When mapped, Then it is an AWS auth error', () => {
    const mapped = mapAwsError(new ExpiredTokenException({ message: 'expired', $metadata: {} }), KEYS);
    expect(mapped).toBeInstanceOf(AwsAuthError);
    expect(mapped.exitCode).toBe(ExitCode.AwsConfig);
  });

  it('Given an SSO profile, When its token has expired, Then the resolution says to sign in with aws sso login for that profile', () => {
    const mapped = mapAwsError(sdkError('TokenProviderError', false), SSO);
    expect(mapped.resolution).toContain('aws sso login --profile corp-admin');
  });

  it('Given a named non-SSO profile, When credentials fail, Then the resolution names the profile to fix', () => {
    const mapped = mapAwsError(sdkError('InvalidClientTokenId'), KEYS);
    expect(mapped.resolution).toContain('--profile ci-keys');
  });

  it('Given the default chain, When credentials are missing, Then the resolution names no profile', () => {
    const mapped = mapAwsError(sdkError('CredentialsProviderError', false), DEFAULT_CHAIN);
    expect(mapped.resolution).not.toContain('--profile');
    expect(mapped.resolution).not.toBe('');
  });
});

describe('mapAwsError other errors', () => {
  it.each([['AccessDenied'], ['AccessDeniedException'], ['UnauthorizedOperation'], ['UnauthorizedAccess'], ['NotAuthorized']])(
    'Given a %s error, When mapped, Then it is a fault with exit 1, not a credential problem',
    (name) => {
      const original = sdkError(name);
      const mapped = mapAwsError(original, KEYS, 'iam:GetCredentialReport');
      expect(mapped).toBeInstanceOf(Fault);
      expect(mapped).toMatchObject({ code: 'AWS_ACCESS_DENIED', exitCode: ExitCode.PartialFailure });
      expect(mapped.resolution).toContain('iam:GetCredentialReport');
      expect(mapped.cause).toBe(original);
      expect(isAccessDenied(original)).toBe(true);
      expect(isCredentialError(original)).toBe(false);
    },
  );

  it('Given an SDK service exception, When mapped, Then it is an AWS_ERROR fault', () => {
    const original = new NoSuchEntityException({ message: 'The user with name bob cannot be found.', $metadata: { httpStatusCode: 404 } });
    const mapped = mapAwsError(original, KEYS);
    expect(mapped).toBeInstanceOf(Fault);
    expect(mapped).toMatchObject({ code: 'AWS_ERROR', exitCode: ExitCode.PartialFailure });
    expect(mapped.cause).toBe(original);
  });

  it('Given any error carrying $metadata, When mapped, Then it is an AWS_ERROR fault', () => {
    expect(mapAwsError(sdkError('ServiceUnavailable'), KEYS)).toMatchObject({ code: 'AWS_ERROR' });
  });

  it.each([
    ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'Users')")],
    ['an unknown error name without $metadata', sdkError('SomethingOdd', false)],
    ['a thrown string', 'boom'],
    ['undefined', undefined],
  ])('Given %s, When mapped, Then it is an INTERNAL_ERROR fault', (_case, original) => {
    const mapped = mapAwsError(original, KEYS);
    expect(mapped).toBeInstanceOf(Fault);
    expect(mapped.code).toBe('INTERNAL_ERROR');
  });

  it.each([
    ['UserError', new UserError('MAPPING_INVALID', 'bad', 'fix it')],
    ['SafetyRefusal', new SafetyRefusal('WORKSPACE_ACCOUNT_MISMATCH', 'no', 'use the right account')],
    ['AwsAuthError', new AwsAuthError('AWS_CREDENTIALS', 'none', 'log in')],
  ])('Given an %s already typed, When mapped, Then it passes through unchanged', (_case, original) => {
    expect(mapAwsError(original, SSO)).toBe(original);
  });
});

describe('isAccessDenied / isCredentialError', () => {
  it.each([
    ['a plain object with a matching name', { name: 'AccessDenied' }],
    ['a string', 'AccessDenied'],
    ['null', null],
  ])('Given %s, When checked, Then neither matches (only Error instances do)', (_case, value) => {
    expect(isAccessDenied(value)).toBe(false);
    expect(isCredentialError(value)).toBe(false);
  });

  it('Given an error whose message mentions a credential problem but whose name does not, When checked, Then it does not match', () => {
    const error = new Error('ExpiredToken: AccessDenied not authorized to perform');
    expect(isCredentialError(error)).toBe(false);
    expect(isAccessDenied(error)).toBe(false);
  });
});
