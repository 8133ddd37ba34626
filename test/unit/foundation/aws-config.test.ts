import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FALLBACK_REGION, resolveAwsConfig } from '../../../src/aws/resolve-aws-config.js';

const CONFIG = `
[default]
region = ap-southeast-2

[profile dev]
region = eu-west-1

[profile no-region]
output = json

[profile sso]
sso_session = x
sso_account_id = 111111111111
sso_role_name = Admin
region = us-west-2

[profile legacy-sso]
sso_start_url = https://example.awsapps.com/start
sso_region = us-east-1
sso_account_id = 111111111111
sso_role_name = Admin

[sso-session x]
sso_start_url = https://example.awsapps.com/start
sso_region = us-east-1
`;

const CREDENTIALS = `
[keys-only]
aws_access_key_id = AKIAEXAMPLE
aws_secret_access_key = not-a-real-secret
region = ca-central-1
`;

let dir: string;
let files: Record<string, string>;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'iam2idc-awscfg-'));
  files = { AWS_CONFIG_FILE: path.join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'credentials') };
  await writeFile(files.AWS_CONFIG_FILE!, CONFIG);
  await writeFile(files.AWS_SHARED_CREDENTIALS_FILE!, CREDENTIALS);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('resolveAwsConfig region precedence', () => {
  it('Given --region and every other source, When resolved, Then the flag wins', async () => {
    const env = { ...files, AWS_REGION: 'us-east-2', AWS_DEFAULT_REGION: 'sa-east-1' };
    await expect(resolveAwsConfig({ profile: 'dev', region: 'eu-north-1', env })).resolves.toMatchObject({
      region: 'eu-north-1',
      regionSource: 'flag',
    });
  });

  it('Given AWS_REGION, AWS_DEFAULT_REGION and a profile region, When resolved, Then AWS_REGION wins', async () => {
    const env = { ...files, AWS_REGION: 'us-east-2', AWS_DEFAULT_REGION: 'sa-east-1' };
    await expect(resolveAwsConfig({ profile: 'dev', env })).resolves.toMatchObject({ region: 'us-east-2', regionSource: 'AWS_REGION' });
  });

  it('Given AWS_DEFAULT_REGION and a profile region, When resolved, Then AWS_DEFAULT_REGION wins', async () => {
    const env = { ...files, AWS_DEFAULT_REGION: 'sa-east-1' };
    await expect(resolveAwsConfig({ profile: 'dev', env })).resolves.toMatchObject({
      region: 'sa-east-1',
      regionSource: 'AWS_DEFAULT_REGION',
    });
  });

  it('Given only the profile has a region, When resolved, Then the profile region is used', async () => {
    await expect(resolveAwsConfig({ profile: 'dev', env: files })).resolves.toEqual({
      profile: 'dev',
      region: 'eu-west-1',
      regionSource: 'profile',
      ssoProfile: false,
    });
  });

  it('Given a profile without a region, When resolved, Then the fallback region is used', async () => {
    await expect(resolveAwsConfig({ profile: 'no-region', env: files })).resolves.toMatchObject({
      region: FALLBACK_REGION,
      regionSource: 'fallback',
    });
  });

  it('Given no profile at all, When resolved, Then the default profile supplies the region and no profile is named', async () => {
    await expect(resolveAwsConfig({ env: files })).resolves.toEqual({
      profile: undefined,
      region: 'ap-southeast-2',
      regionSource: 'profile',
      ssoProfile: false,
    });
  });

  it('Given a profile defined only in the credentials file, When resolved, Then its region is used', async () => {
    await expect(resolveAwsConfig({ profile: 'keys-only', env: files })).resolves.toMatchObject({
      region: 'ca-central-1',
      regionSource: 'profile',
    });
  });

  it('Given config files that do not exist, When resolved, Then the fallback region is used without an error', async () => {
    const env = { AWS_CONFIG_FILE: path.join(dir, 'missing-config'), AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'missing-creds') };
    await expect(resolveAwsConfig({ profile: 'dev', env })).resolves.toEqual({
      profile: 'dev',
      region: FALLBACK_REGION,
      regionSource: 'fallback',
      ssoProfile: false,
    });
  });
});

describe('resolveAwsConfig profile', () => {
  it('Given AWS_PROFILE and no --profile, When resolved, Then AWS_PROFILE is the profile and supplies the region', async () => {
    await expect(resolveAwsConfig({ env: { ...files, AWS_PROFILE: 'dev' } })).resolves.toMatchObject({
      profile: 'dev',
      region: 'eu-west-1',
      regionSource: 'profile',
    });
  });

  it('Given AWS_PROFILE and --profile, When resolved, Then the flag wins', async () => {
    await expect(resolveAwsConfig({ profile: 'sso', env: { ...files, AWS_PROFILE: 'dev' } })).resolves.toMatchObject({
      profile: 'sso',
      region: 'us-west-2',
    });
  });

  it.each([
    ['sso', true],
    ['legacy-sso', true],
    ['dev', false],
    ['keys-only', false],
    ['not-defined', false],
  ])('Given profile %s, When resolved, Then ssoProfile is %s', async (profile, expected) => {
    const resolved = await resolveAwsConfig({ profile, region: 'us-east-1', env: files });
    expect(resolved.ssoProfile).toBe(expected);
  });

  it('Given an SSO profile via AWS_PROFILE, When resolved, Then it is detected as an SSO profile', async () => {
    await expect(resolveAwsConfig({ env: { ...files, AWS_PROFILE: 'sso' } })).resolves.toMatchObject({
      profile: 'sso',
      ssoProfile: true,
    });
  });
});
