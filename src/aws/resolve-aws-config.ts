import { loadSharedConfigFiles } from '@smithy/shared-ini-file-loader';

/** Where the settings come from; `env` is passed in so that resolution is testable. */
export interface AwsConfigInput {
  profile?: string;
  region?: string;
  env: Readonly<Record<string, string | undefined>>;
}

export interface ResolvedAwsConfig {
  /** The named profile in use, or undefined for the SDK's default chain. */
  profile: string | undefined;
  region: string;
  /** Where the region came from, shown with `--verbose`. */
  regionSource: 'flag' | 'AWS_REGION' | 'AWS_DEFAULT_REGION' | 'profile' | 'fallback';
  /** True when the profile signs in through IAM Identity Center (`aws sso login` refreshes it). */
  ssoProfile: boolean;
}

/** IAM and STS are global; any commercial region answers them when nothing else is configured. */
export const FALLBACK_REGION = 'us-east-1';

/**
 * Resolves the profile and region the way the AWS CLI does: `--region`, then `AWS_REGION`,
 * then `AWS_DEFAULT_REGION` (which the SDK alone ignores), then the profile's `region`.
 */
export async function resolveAwsConfig(input: AwsConfigInput): Promise<ResolvedAwsConfig> {
  const profile = input.profile ?? input.env.AWS_PROFILE ?? undefined;
  const profileSettings = await readProfile(profile ?? 'default', input.env);
  const ssoProfile = Boolean(profileSettings?.sso_session ?? profileSettings?.sso_start_url);
  if (input.region) return { profile, region: input.region, regionSource: 'flag', ssoProfile };
  if (input.env.AWS_REGION) return { profile, region: input.env.AWS_REGION, regionSource: 'AWS_REGION', ssoProfile };
  if (input.env.AWS_DEFAULT_REGION) {
    return { profile, region: input.env.AWS_DEFAULT_REGION, regionSource: 'AWS_DEFAULT_REGION', ssoProfile };
  }
  if (profileSettings?.region) return { profile, region: profileSettings.region, regionSource: 'profile', ssoProfile };
  return { profile, region: FALLBACK_REGION, regionSource: 'fallback', ssoProfile };
}

async function readProfile(
  name: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<Record<string, string | undefined> | undefined> {
  try {
    const files = await loadSharedConfigFiles({
      filepath: env.AWS_SHARED_CREDENTIALS_FILE,
      configFilepath: env.AWS_CONFIG_FILE,
    });
    return files.configFile[name] ?? files.credentialsFile[name];
  } catch {
    // No config file, or one we cannot read: the SDK will report the real problem when it signs.
    return undefined;
  }
}
