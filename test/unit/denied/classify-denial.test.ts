import { describe, expect, it } from 'vitest';
import { classifyDenial, denialGuidance, type DenialCause, type DeniedBy } from '../../../src/phases/watch-denied/classify-denial.js';

const SSO_SESSION = 'arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Dev_0123456789abcdef/jane';
const IAM_USER = 'arn:aws:iam::111111111111:user/alice';

function notAuthorized(principal: string, action: string, resource: string, clause: string): string {
  return `User: ${principal} is not authorized to perform: ${action} on resource: ${resource} ${clause}`;
}

describe('classifyDenial: the policy that denied the call', () => {
  const cases: Array<[string, string, Omit<DenialCause, 'fixableByPermissionSet'> & { fixable: boolean }]> = [
    [
      'no identity-based policy allows it (S3 quotes the resource)',
      notAuthorized(SSO_SESSION, 's3:ListBucket', '"arn:aws:s3:::acme-data"', 'because no identity-based policy allows the s3:ListBucket action'),
      { deniedBy: 'identity-policy', explicit: false, fixable: true, action: 's3:ListBucket', resource: 'arn:aws:s3:::acme-data' },
    ],
    [
      'no identity-based policy allows it (unquoted resource)',
      notAuthorized(SSO_SESSION, 'dynamodb:GetItem', 'arn:aws:dynamodb:eu-west-1:111111111111:table/Orders', 'because no identity-based policy allows the dynamodb:GetItem action'),
      { deniedBy: 'identity-policy', explicit: false, fixable: true, action: 'dynamodb:GetItem', resource: 'arn:aws:dynamodb:eu-west-1:111111111111:table/Orders' },
    ],
    [
      'an explicit deny in an identity-based policy',
      notAuthorized(SSO_SESSION, 's3:DeleteObject', '"arn:aws:s3:::acme-data/reports/2026.csv"', 'with an explicit deny in an identity-based policy'),
      { deniedBy: 'identity-policy', explicit: true, fixable: false, action: 's3:DeleteObject', resource: 'arn:aws:s3:::acme-data/reports/2026.csv' },
    ],
    [
      'an explicit deny in an identity-based policy, with the policy ARN',
      notAuthorized(IAM_USER, 'iam:DeleteRole', 'arn:aws:iam::111111111111:role/admin', 'with an explicit deny in an identity-based policy: arn:aws:iam::111111111111:policy/DenyIam'),
      { deniedBy: 'identity-policy', explicit: true, fixable: false, action: 'iam:DeleteRole', resource: 'arn:aws:iam::111111111111:role/admin' },
    ],
    [
      'an explicit deny in a service control policy',
      notAuthorized(SSO_SESSION, 'ec2:TerminateInstances', 'arn:aws:ec2:eu-west-1:111111111111:instance/i-0abc123def4567890', 'with an explicit deny in a service control policy'),
      { deniedBy: 'service-control-policy', explicit: true, fixable: false, action: 'ec2:TerminateInstances', resource: 'arn:aws:ec2:eu-west-1:111111111111:instance/i-0abc123def4567890' },
    ],
    [
      'no service control policy allows it',
      notAuthorized(SSO_SESSION, 'bedrock:InvokeModel', 'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-v2', 'because no service control policy allows the bedrock:InvokeModel action'),
      { deniedBy: 'service-control-policy', explicit: false, fixable: false, action: 'bedrock:InvokeModel', resource: 'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-v2' },
    ],
    [
      'an explicit deny in a resource control policy',
      notAuthorized(SSO_SESSION, 's3:GetObject', '"arn:aws:s3:::acme-data/x"', 'with an explicit deny in a resource control policy'),
      { deniedBy: 'resource-control-policy', explicit: true, fixable: false, action: 's3:GetObject', resource: 'arn:aws:s3:::acme-data/x' },
    ],
    [
      'no permissions boundary allows it',
      notAuthorized(SSO_SESSION, 'iam:CreateRole', 'arn:aws:iam::111111111111:role/new-role', 'because no permissions boundary allows the iam:CreateRole action'),
      { deniedBy: 'permissions-boundary', explicit: false, fixable: false, action: 'iam:CreateRole', resource: 'arn:aws:iam::111111111111:role/new-role' },
    ],
    [
      'an explicit deny in a permissions boundary',
      notAuthorized(SSO_SESSION, 'iam:CreateRole', 'arn:aws:iam::111111111111:role/new-role', 'with an explicit deny in a permissions boundary'),
      { deniedBy: 'permissions-boundary', explicit: true, fixable: false, action: 'iam:CreateRole', resource: 'arn:aws:iam::111111111111:role/new-role' },
    ],
    [
      'no session policy allows it',
      notAuthorized(SSO_SESSION, 'sqs:SendMessage', 'arn:aws:sqs:eu-west-1:111111111111:orders', 'because no session policy allows the sqs:SendMessage action'),
      { deniedBy: 'session-policy', explicit: false, fixable: false, action: 'sqs:SendMessage', resource: 'arn:aws:sqs:eu-west-1:111111111111:orders' },
    ],
    [
      'an explicit deny in a session policy',
      notAuthorized(SSO_SESSION, 'sqs:SendMessage', 'arn:aws:sqs:eu-west-1:111111111111:orders', 'with an explicit deny in a session policy'),
      { deniedBy: 'session-policy', explicit: true, fixable: false, action: 'sqs:SendMessage', resource: 'arn:aws:sqs:eu-west-1:111111111111:orders' },
    ],
    [
      'no resource-based policy allows it',
      notAuthorized(SSO_SESSION, 'kms:Decrypt', 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab', 'because no resource-based policy allows the kms:Decrypt action'),
      { deniedBy: 'resource-policy', explicit: false, fixable: false, action: 'kms:Decrypt', resource: 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab' },
    ],
    [
      'an explicit deny in a resource-based policy',
      notAuthorized(SSO_SESSION, 's3:PutObject', '"arn:aws:s3:::acme-logs/x"', 'with an explicit deny in a resource-based policy'),
      { deniedBy: 'resource-policy', explicit: true, fixable: false, action: 's3:PutObject', resource: 'arn:aws:s3:::acme-logs/x' },
    ],
    [
      'no VPC endpoint policy allows it',
      notAuthorized(SSO_SESSION, 's3:GetObject', '"arn:aws:s3:::acme-data/x"', 'because no VPC endpoint policy allows the s3:GetObject action'),
      { deniedBy: 'vpc-endpoint-policy', explicit: false, fixable: false, action: 's3:GetObject', resource: 'arn:aws:s3:::acme-data/x' },
    ],
    [
      'an explicit deny in a VPC endpoint policy',
      notAuthorized(SSO_SESSION, 's3:GetObject', '"arn:aws:s3:::acme-data/x"', 'with an explicit deny in a VPC endpoint policy'),
      { deniedBy: 'vpc-endpoint-policy', explicit: true, fixable: false, action: 's3:GetObject', resource: 'arn:aws:s3:::acme-data/x' },
    ],
  ];

  it.each(cases)('Given %s, When classified, Then the cause is read from the message', (_label, message, expected) => {
    const { fixable, ...rest } = expected;

    expect(classifyDenial(message)).toEqual({ ...rest, fixableByPermissionSet: fixable });
  });
});

describe('classifyDenial: messages that do not say why', () => {
  it('Given the EC2 encoded authorization failure, When classified, Then the cause, the action and the resource are unknown', () => {
    const message =
      'You are not authorized to perform this operation. Encoded authorization failure message: 4GIOHlTkIaWHQD0Q0m6XSnuUMCm-abc_DEF123xyz0987654321ZYXwvu';

    expect(classifyDenial(message)).toEqual({ deniedBy: 'unknown', explicit: null, fixableByPermissionSet: false, action: null, resource: null });
  });

  it.each([
    ['null', null],
    ['an empty message', ''],
    ['the bare S3 message', 'Access Denied'],
  ])('Given %s, When classified, Then everything is unknown', (_label, message) => {
    expect(classifyDenial(message)).toEqual({ deniedBy: 'unknown', explicit: null, fixableByPermissionSet: false, action: null, resource: null });
  });

  it('Given an old-style message without a reason, When classified, Then the action and resource are still read but the cause is unknown', () => {
    const message = 'User: arn:aws:iam::111111111111:user/alice is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::222222222222:role/deploy';

    expect(classifyDenial(message)).toEqual({
      deniedBy: 'unknown',
      explicit: null,
      fixableByPermissionSet: false,
      action: 'sts:AssumeRole',
      resource: 'arn:aws:iam::222222222222:role/deploy',
    });
  });

  it('Given a resource that is not an ARN, When classified, Then no resource is read', () => {
    const message = 'User: arn:aws:iam::111111111111:user/alice is not authorized to perform: iam:GetUser on resource: user bob because no identity-based policy allows the iam:GetUser action';

    expect(classifyDenial(message)).toMatchObject({ deniedBy: 'identity-policy', explicit: false, action: 'iam:GetUser', resource: null });
  });

  it('Given a message with a wildcard resource, When classified, Then no resource is read', () => {
    const message = `User: ${SSO_SESSION} is not authorized to perform: s3:ListAllMyBuckets on resource: * because no identity-based policy allows the s3:ListAllMyBuckets action`;

    expect(classifyDenial(message)).toMatchObject({ action: 's3:ListAllMyBuckets', resource: null, fixableByPermissionSet: true });
  });
});

describe('denialGuidance', () => {
  const every: DeniedBy[] = [
    'identity-policy',
    'service-control-policy',
    'resource-control-policy',
    'permissions-boundary',
    'session-policy',
    'resource-policy',
    'vpc-endpoint-policy',
    'unknown',
  ];

  it.each(every.flatMap((deniedBy) => [true, false, null].map((explicit) => [deniedBy, explicit] as const)))(
    'Given a denial by %s (explicit %s), When guidance is asked, Then there is some',
    (deniedBy, explicit) => {
      const guidance = denialGuidance({ deniedBy, explicit });

      expect(typeof guidance).toBe('string');
      expect(guidance.trim().length).toBeGreaterThan(0);
    },
  );

  it('Given an explicit and an implicit identity-policy denial, When guidance is asked, Then they differ', () => {
    expect(denialGuidance({ deniedBy: 'identity-policy', explicit: true })).not.toBe(denialGuidance({ deniedBy: 'identity-policy', explicit: false }));
  });

  it('Given each kind of policy, When guidance is asked, Then each kind gets its own', () => {
    const texts = every.map((deniedBy) => denialGuidance({ deniedBy, explicit: false }));

    expect(new Set(texts).size).toBe(every.length);
  });
});
