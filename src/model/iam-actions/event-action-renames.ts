/**
 * Where a CloudTrail event's `eventSource` / `eventName` differ from the IAM action that
 * authorises the call. Most events need no entry: `ec2.amazonaws.com` + `RunInstances` is
 * `ec2:RunInstances`, and host names with a sub-domain (`streams.dynamodb`, `runtime.lex`,
 * `runtime.sagemaker`, `portal.sso`) resolve through their last label. Dated API versions in event
 * names (`GetFunction20150331v2`, `UpdateDistribution2020_05_31`) are handled by a rule in
 * event-to-action.ts, and case differences (`GetBucketCors` → `s3:GetBucketCORS`) by the
 * case-insensitive action database, so neither is listed here.
 *
 * Every target below must exist in the action database (a unit test iterates these tables).
 */

/**
 * Event-source hosts (the `eventSource` without `.amazonaws.com`) whose IAM prefix differs,
 * with the prefixes to try in order. `elasticloadbalancing` (ELB and ELBv2), `es` (OpenSearch
 * Service), `sso`, `identitystore` and `sso-directory` are their own prefixes and need no entry.
 */
export const EVENT_SOURCE_PREFIXES: Readonly<Record<string, readonly string[]>> = {
  // CloudWatch's API endpoint is monitoring.<region>.amazonaws.com.
  monitoring: ['cloudwatch'],
  // SES v1 is served from email.<region>.amazonaws.com; SES v2 logs as ses.amazonaws.com.
  email: ['ses'],
  // Resource Groups Tagging API: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonresourcegrouptaggingapi.html
  tagging: ['tag'],
  // RDS Data API: https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/logging-using-cloudtrail-data-api.html
  rdsdata: ['rds-data'],
  // Cloud Control API calls are authorised as cloudformation:CreateResource, GetResource, ListResources…
  cloudcontrolapi: ['cloudformation'],
  // OpenSearch Service's domain API is authorised under `es`; `opensearch` holds only the newer
  // application and direct-query actions, so both are tried.
  opensearch: ['opensearch', 'es'],
};

/**
 * Event names whose IAM action has another name, per IAM prefix (event name → action name).
 * S3's API operations and its permissions diverged early: https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html
 */
export const EVENT_NAME_RENAMES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  s3: {
    ListBuckets: 'ListAllMyBuckets',
    ListObjects: 'ListBucket',
    ListObjectsV2: 'ListBucket',
    HeadBucket: 'ListBucket',
    ListObjectVersions: 'ListBucketVersions',
    ListMultipartUploads: 'ListBucketMultipartUploads',
    ListParts: 'ListMultipartUploadParts',
    HeadObject: 'GetObject',
    SelectObjectContent: 'GetObject',
    // CopyObject also needs s3:GetObject on the source; the event is logged for the destination.
    CopyObject: 'PutObject',
    CreateMultipartUpload: 'PutObject',
    UploadPart: 'PutObject',
    UploadPartCopy: 'PutObject',
    CompleteMultipartUpload: 'PutObject',
    DeleteObjects: 'DeleteObject',
    GetBucketEncryption: 'GetEncryptionConfiguration',
    PutBucketEncryption: 'PutEncryptionConfiguration',
    DeleteBucketEncryption: 'PutEncryptionConfiguration',
    GetBucketLifecycle: 'GetLifecycleConfiguration',
    GetBucketLifecycleConfiguration: 'GetLifecycleConfiguration',
    PutBucketLifecycle: 'PutLifecycleConfiguration',
    PutBucketLifecycleConfiguration: 'PutLifecycleConfiguration',
    DeleteBucketLifecycle: 'PutLifecycleConfiguration',
    GetBucketReplication: 'GetReplicationConfiguration',
    PutBucketReplication: 'PutReplicationConfiguration',
    DeleteBucketReplication: 'PutReplicationConfiguration',
    DeleteBucketCors: 'PutBucketCORS',
    GetBucketAnalyticsConfiguration: 'GetAnalyticsConfiguration',
    ListBucketAnalyticsConfigurations: 'GetAnalyticsConfiguration',
    PutBucketAnalyticsConfiguration: 'PutAnalyticsConfiguration',
    DeleteBucketAnalyticsConfiguration: 'PutAnalyticsConfiguration',
    GetBucketInventoryConfiguration: 'GetInventoryConfiguration',
    ListBucketInventoryConfigurations: 'GetInventoryConfiguration',
    PutBucketInventoryConfiguration: 'PutInventoryConfiguration',
    DeleteBucketInventoryConfiguration: 'PutInventoryConfiguration',
    GetBucketMetricsConfiguration: 'GetMetricsConfiguration',
    ListBucketMetricsConfigurations: 'GetMetricsConfiguration',
    PutBucketMetricsConfiguration: 'PutMetricsConfiguration',
    DeleteBucketMetricsConfiguration: 'PutMetricsConfiguration',
    GetBucketIntelligentTieringConfiguration: 'GetIntelligentTieringConfiguration',
    ListBucketIntelligentTieringConfigurations: 'GetIntelligentTieringConfiguration',
    PutBucketIntelligentTieringConfiguration: 'PutIntelligentTieringConfiguration',
    DeleteBucketIntelligentTieringConfiguration: 'PutIntelligentTieringConfiguration',
    GetBucketNotificationConfiguration: 'GetBucketNotification',
    PutBucketNotificationConfiguration: 'PutBucketNotification',
    DeleteBucketTagging: 'PutBucketTagging',
    GetBucketAccelerateConfiguration: 'GetAccelerateConfiguration',
    PutBucketAccelerateConfiguration: 'PutAccelerateConfiguration',
    GetObjectLockConfiguration: 'GetBucketObjectLockConfiguration',
    PutObjectLockConfiguration: 'PutBucketObjectLockConfiguration',
    GetPublicAccessBlock: 'GetBucketPublicAccessBlock',
    PutPublicAccessBlock: 'PutBucketPublicAccessBlock',
    DeletePublicAccessBlock: 'PutBucketPublicAccessBlock',
    DeleteBucketOwnershipControls: 'PutBucketOwnershipControls',
  },
  lambda: {
    // https://docs.aws.amazon.com/lambda/latest/dg/lambda-api-permissions-ref.html
    Invoke: 'InvokeFunction',
    InvokeWithResponseStream: 'InvokeFunction',
  },
  sns: {
    PublishBatch: 'Publish',
  },
  sqs: {
    // The batch operations are authorised by the single-message actions.
    SendMessageBatch: 'SendMessage',
    DeleteMessageBatch: 'DeleteMessage',
    ChangeMessageVisibilityBatch: 'ChangeMessageVisibility',
  },
  dynamodb: {
    // TransactWriteItems is not listed: it is authorised per item (PutItem, UpdateItem,
    // DeleteItem, ConditionCheckItem) and the event does not say which.
    TransactGetItems: 'GetItem',
  },
};

/**
 * Events that no IAM action authorises, per IAM prefix: console sign-in steps and the Identity
 * Center access portal, which works with the portal's own bearer token.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html#cloudtrail-integration_signin-tempcreds
 */
export const EVENTS_WITHOUT_ACTION: Readonly<Record<string, readonly string[]>> = {
  signin: [
    'ConsoleLogin',
    'CheckMfa',
    'SwitchRole',
    'ExitRole',
    'RenewRole',
    'GetSigninToken',
    'PasswordRecoveryRequested',
    'PasswordRecoveryCompleted',
    'CredentialChallenge',
    'CredentialVerification',
    'UserAuthentication',
  ],
  sso: ['Authenticate', 'Federate', 'Logout', 'GetRoleCredentials', 'ListAccounts', 'ListAccountRoles'],
};
