import { AccessAnalyzerClient } from '@aws-sdk/client-accessanalyzer';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { IAMClient } from '@aws-sdk/client-iam';
import { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterAll, afterEach } from 'vitest';

/**
 * Replaces `send` of every client of this class, for the tests of the file (or describe block) that
 * calls it: the stub is reset after every test, so no test sees another's answers, and taken off
 * after the last one, since test files share a worker and a later file may need the real client.
 */
export const mockSdkClient: typeof mockClient = (client, options) => {
  const mock = mockClient(client, options);
  afterEach(() => {
    mock.reset();
  });
  afterAll(() => {
    mock.restore();
  });
  return mock;
};

/** The one place unit tests get AWS mocks. Clients are real SDK clients whose `send` is replaced. */
export function mockAws() {
  const mocks = {
    iam: mockSdkClient(IAMClient),
    sts: mockSdkClient(STSClient),
    ssoAdmin: mockSdkClient(SSOAdminClient),
    accessAnalyzer: mockSdkClient(AccessAnalyzerClient),
    cloudTrail: mockSdkClient(CloudTrailClient),
    logs: mockSdkClient(CloudWatchLogsClient),
  };
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
