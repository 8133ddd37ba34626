import { AccessAnalyzerClient } from '@aws-sdk/client-accessanalyzer';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { IAMClient } from '@aws-sdk/client-iam';
import { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterEach } from 'vitest';

/**
 * The one place unit tests get AWS mocks. Each call registers a reset after every test, so no
 * test sees another's stubs. Clients are real SDK clients whose `send` is replaced.
 */
export function mockAws() {
  const mocks = {
    iam: mockClient(IAMClient),
    sts: mockClient(STSClient),
    ssoAdmin: mockClient(SSOAdminClient),
    accessAnalyzer: mockClient(AccessAnalyzerClient),
    cloudTrail: mockClient(CloudTrailClient),
    logs: mockClient(CloudWatchLogsClient),
  };
  afterEach(() => {
    for (const mock of Object.values(mocks)) mock.reset();
  });
  const settings = { region: 'us-east-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' } };
  const clients = {
    iam: new IAMClient(settings),
    sts: new STSClient(settings),
    ssoAdmin: new SSOAdminClient(settings),
    accessAnalyzer: new AccessAnalyzerClient(settings),
    cloudTrail: new CloudTrailClient(settings),
    logs: new CloudWatchLogsClient(settings),
  };
  return { mocks, clients };
}

/** Tests that stub AWS reject with these, so they come with the mocks. */
export { awsError } from './builders.js';
