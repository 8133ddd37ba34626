import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { IAMClient } from '@aws-sdk/client-iam';
import { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { STSClient } from '@aws-sdk/client-sts';
import { assertLoopback } from './moto.js';

export interface AccessKey {
  id: string;
  secret: string;
  sessionToken?: string;
}

export interface EmulatorClients {
  /** The emulator endpoint, for helpers that need clients signed with another key. */
  endpoint: string;
  iam: IAMClient;
  sts: STSClient;
  ssoAdmin: SSOAdminClient;
  identityStore: IdentitystoreClient;
  organizations: OrganizationsClient;
  cloudTrail: CloudTrailClient;
  logs: CloudWatchLogsClient;
}

// The SDK warns about Node 20 on every client it builds; the harness runs on the machine's Node.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** Any key that is not a seeded user's key makes moto answer as its default account 123456789012. */
export const DEFAULT_TEST_KEY: AccessKey = { id: 'testing', secret: 'testing' };

export const EMULATOR_REGION = 'us-east-1';

/**
 * Builds SDK clients pointed at the emulator with static credentials, so nothing is read from
 * the developer's ~/.aws or environment.
 */
export function createEmulatorClients(endpoint: string, key: AccessKey = DEFAULT_TEST_KEY): EmulatorClients {
  assertLoopback(endpoint);
  const config = {
    endpoint,
    region: EMULATOR_REGION,
    credentials: { accessKeyId: key.id, secretAccessKey: key.secret, sessionToken: key.sessionToken },
    // The emulator answers at once; retries would only hide seeding mistakes.
    maxAttempts: 2,
  };
  return {
    endpoint,
    iam: new IAMClient(config),
    sts: new STSClient(config),
    ssoAdmin: new SSOAdminClient(config),
    identityStore: new IdentitystoreClient(config),
    organizations: new OrganizationsClient(config),
    cloudTrail: new CloudTrailClient(config),
    logs: new CloudWatchLogsClient(config),
  };
}

/** Closes the clients' HTTP agents so the process can exit promptly. */
export function destroyEmulatorClients(clients: EmulatorClients): void {
  const { iam, sts, ssoAdmin, identityStore, organizations, cloudTrail, logs } = clients;
  for (const client of [iam, sts, ssoAdmin, identityStore, organizations, cloudTrail, logs]) client.destroy();
}
