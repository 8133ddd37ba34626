import { AccessAnalyzerClient } from '@aws-sdk/client-accessanalyzer';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { IAMClient } from '@aws-sdk/client-iam';
import { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { STSClient } from '@aws-sdk/client-sts';
import { fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import type { HttpRequest, HttpResponse, RequestHandler } from '@smithy/types';
import { ApiCallCounter } from './api-call-counter.js';
import { instrumentClient, type DebugSink } from './client-middleware.js';
import type { ResolvedAwsConfig } from './resolve-aws-config.js';

type ClientSettings = {
  region: string;
  credentials: AwsCredentialIdentityProvider;
  requestHandler: AwsContextOptions['requestHandler'];
} & typeof RETRY;

/** Retries with client-side rate limiting, so a throttling storm slows the run down instead of failing it. */
const RETRY = { retryMode: 'adaptive', maxAttempts: 8 } as const;

export interface AwsContextOptions {
  config: ResolvedAwsConfig;
  debug?: DebugSink;
  /** Tests inject a provider; everything else uses the SDK's default chain (SSO profiles included). */
  credentials?: AwsCredentialIdentityProvider;
  /** The HTTP layer; the SDK's own by default. Tests replace it to replay throttling on the wire. */
  requestHandler?: RequestHandler<HttpRequest, HttpResponse>;
  /** The counter of calls, shared by the contexts of the member accounts a run reaches from its hub. */
  apiCalls?: ApiCallCounter;
}

/**
 * How a member account's IAM is reached from the hub (the management account or the Identity Center
 * delegated administrator): a role of that name in the account (`--member-role`), a role ARN, or a
 * profile of the local AWS config.
 */
export type MemberAccess = { roleName: string } | { roleArn: string } | { profile: string };

/** Assumed-role sessions last an hour; the SDK refreshes them before they expire. */
const MEMBER_SESSION = { RoleSessionName: 'iam2idc', DurationSeconds: 3600 } as const;

/**
 * Every AWS client the tool uses, built once from one credential provider. Clients for services
 * whose region differs (Identity Center lives in its home region) are made with `forRegion`.
 */
export class AwsContext {
  readonly apiCalls: ApiCallCounter;
  readonly config: ResolvedAwsConfig;
  readonly credentials: AwsCredentialIdentityProvider;
  private readonly debug: DebugSink | undefined;
  private readonly requestHandler: AwsContextOptions['requestHandler'];
  private readonly cache = new Map<string, unknown>();
  private readonly members = new Map<string, AwsContext>();

  constructor(options: AwsContextOptions) {
    this.apiCalls = options.apiCalls ?? new ApiCallCounter();
    this.config = options.config;
    this.debug = options.debug;
    this.requestHandler = options.requestHandler;
    // One provider for every client: SSO and assume-role credentials are fetched once and shared.
    this.credentials = options.credentials ?? fromNodeProviderChain({ profile: options.config.profile });
  }

  get region(): string {
    return this.config.region;
  }

  get iam(): IAMClient {
    return this.client('iam', this.region, (c) => new IAMClient(c));
  }
  get sts(): STSClient {
    return this.client('sts', this.region, (c) => new STSClient(c));
  }
  get cloudTrail(): CloudTrailClient {
    return this.client('cloudtrail', this.region, (c) => new CloudTrailClient(c));
  }
  /** CloudWatch Logs in a given region (a trail's log group may live in the trail's home region). */
  logs(region = this.region): CloudWatchLogsClient {
    return this.client('logs', region, (c) => new CloudWatchLogsClient(c));
  }
  get organizations(): OrganizationsClient {
    return this.client('organizations', this.region, (c) => new OrganizationsClient(c));
  }
  get accessAnalyzer(): AccessAnalyzerClient {
    return this.client('accessanalyzer', this.region, (c) => new AccessAnalyzerClient(c));
  }

  /** sso-admin in a given region (the Identity Center instance's own region). */
  ssoAdmin(region = this.region): SSOAdminClient {
    return this.client('sso-admin', region, (c) => new SSOAdminClient(c));
  }

  identityStore(region = this.region): IdentitystoreClient {
    return this.client('identitystore', region, (c) => new IdentitystoreClient(c));
  }

  /**
   * The clients of a member account, with credentials assumed from this context's (or a profile's):
   * made once per account and access, sharing the call counter. The management account's own IAM is
   * this context, not a member of it.
   */
  forAccount(accountId: string, access: MemberAccess, partition = 'aws'): AwsContext {
    const key = `${accountId}|${JSON.stringify(access)}`;
    let member = this.members.get(key);
    if (!member) {
      member = new AwsContext({ config: this.config, debug: this.debug, requestHandler: this.requestHandler, apiCalls: this.apiCalls, credentials: this.memberCredentials(accountId, access, partition) });
      this.members.set(key, member);
    }
    return member;
  }

  /** Closes the sockets of every client made (the member accounts' too), so the process can exit promptly. */
  destroy(): void {
    for (const client of this.cache.values()) (client as { destroy(): void }).destroy();
    this.cache.clear();
    for (const member of this.members.values()) member.destroy();
    this.members.clear();
  }

  private memberCredentials(accountId: string, access: MemberAccess, partition: string): AwsCredentialIdentityProvider {
    if ('profile' in access) return fromNodeProviderChain({ profile: access.profile });
    const roleArn = 'roleArn' in access ? access.roleArn : `arn:${partition}:iam::${accountId}:role/${access.roleName}`;
    return fromTemporaryCredentials({
      masterCredentials: this.credentials,
      params: { RoleArn: roleArn, ...MEMBER_SESSION },
      clientConfig: { region: this.region, ...(this.requestHandler ? { requestHandler: this.requestHandler } : {}) },
    });
  }

  private client<T extends object>(
    service: string,
    region: string,
    make: (config: ClientSettings) => T,
  ): T {
    const key = `${service}@${region}`;
    let client = this.cache.get(key) as T | undefined;
    if (!client) {
      client = make({ region, credentials: this.credentials, requestHandler: this.requestHandler, ...RETRY });
      instrumentClient(client as never, service, this.apiCalls, this.debug);
      this.cache.set(key, client);
    }
    return client;
  }
}
