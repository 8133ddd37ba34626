/**
 * The requests that admin detection puts to the effective-access evaluator, and what it knows of
 * the requester. "Every action on every resource" cannot be enumerated, so it is sampled: an action
 * of a service that does not exist on a resource that does not exist (only `*`-like grants and
 * everything-but grants match it), and sensitive actions of the services that matter most, each on
 * `*` and on a concrete ARN of this account. Names are made up so no real resource is singled out.
 */
import type { RequestContext } from '../evaluate-condition.js';
import type { Need } from './admin-checks.js';

/** The partition and account that every made-up ARN lives in. */
export interface ProbeAccount {
  partition: string;
  accountId: string;
}

const PROBE_NAME = 'iam2idc-admin-probe';
// A concrete ARN needs a region; policies scoped to other regions are then not matched, which only
// makes a grant look narrower, never wider.
const PROBE_REGION = 'us-east-1';

/** Sensitive actions and the kind of resource each acts on (`null`: no resource-level permissions). */
const SENSITIVE_ACTIONS: ReadonlyArray<readonly [string, ((a: ProbeAccount) => string) | null]> = [
  ['iam:CreateUser', (a) => iamArn(a, `user/${PROBE_NAME}`)],
  ['iam:AttachUserPolicy', (a) => iamArn(a, `user/${PROBE_NAME}`)],
  ['iam:CreateAccessKey', (a) => iamArn(a, `user/${PROBE_NAME}`)],
  ['iam:PutRolePolicy', (a) => iamArn(a, `role/${PROBE_NAME}`)],
  ['iam:PassRole', (a) => iamArn(a, `role/${PROBE_NAME}`)],
  ['sts:AssumeRole', (a) => iamArn(a, `role/${PROBE_NAME}`)],
  ['organizations:LeaveOrganization', null],
  ['account:PutAlternateContact', null],
  ['ec2:RunInstances', (a) => regionalArn(a, 'ec2', 'instance/i-00000000000000000')],
  ['s3:DeleteBucket', (a) => `arn:${a.partition}:s3:::${PROBE_NAME}`],
  ['s3:GetObject', (a) => `arn:${a.partition}:s3:::${PROBE_NAME}/${PROBE_NAME}`],
  ['kms:ScheduleKeyDeletion', (a) => regionalArn(a, 'kms', 'key/00000000-0000-0000-0000-000000000000')],
  ['secretsmanager:GetSecretValue', (a) => regionalArn(a, 'secretsmanager', `secret:${PROBE_NAME}`)],
  ['cloudtrail:StopLogging', (a) => regionalArn(a, 'cloudtrail', `trail/${PROBE_NAME}`)],
  ['lambda:CreateFunction', (a) => regionalArn(a, 'lambda', `function:${PROBE_NAME}`)],
];

/** What a principal must all be allowed, unconditionally, to count as administrator. The made-up action comes first. */
export function fullAdminProbes(account: ProbeAccount, context: RequestContext): Need[] {
  const madeUp = { action: 'iam2idcprobe:DoAnything', resources: [`arn:${account.partition}:iam2idcprobe:${PROBE_REGION}:${account.accountId}:thing/${PROBE_NAME}`], context };
  const sensitive = SENSITIVE_ACTIONS.flatMap(([action, arn]) => [
    { action, resources: ['*'], context },
    ...(arn ? [{ action, resources: [arn(account)], context }] : []),
  ]);
  return [madeUp, ...sensitive];
}

/** An IAM action no policy names, on an IAM resource that does not exist: only `iam:*`-like grants allow it. */
export function iamWildcardProbe(account: ProbeAccount, context: RequestContext): Need {
  return { action: 'iam:Iam2idcProbeAnything', resources: [iamArn(account, `${PROBE_NAME}/${PROBE_NAME}`)], context };
}

/** A compute service that can run code as a role passed to it, and what creating and running that code takes. */
export interface ComputeService {
  name: string;
  /** The service principal a role must trust for the service to use it. */
  principal: string;
  /** Every one of these is needed (each tried on `*` and on a concrete ARN). */
  actions: ReadonlyArray<{ action: string; resources: (a: ProbeAccount) => string[] }>;
}

const anywhere = (): string[] => ['*'];
const regional = (service: string, resource: string) => (a: ProbeAccount): string[] => ['*', regionalArn(a, service, resource)];

/** The services that run code as a passed role (the usual `iam:PassRole` escalations). */
export const COMPUTE_SERVICES: readonly ComputeService[] = [
  { name: 'ec2', principal: 'ec2.amazonaws.com', actions: [{ action: 'ec2:RunInstances', resources: anywhere }] },
  {
    name: 'lambda',
    principal: 'lambda.amazonaws.com',
    actions: [
      { action: 'lambda:CreateFunction', resources: regional('lambda', `function:${PROBE_NAME}`) },
      { action: 'lambda:InvokeFunction', resources: regional('lambda', `function:${PROBE_NAME}`) },
    ],
  },
  { name: 'cloudformation', principal: 'cloudformation.amazonaws.com', actions: [{ action: 'cloudformation:CreateStack', resources: regional('cloudformation', `stack/${PROBE_NAME}/*`) }] },
  {
    name: 'glue',
    principal: 'glue.amazonaws.com',
    actions: [
      { action: 'glue:CreateJob', resources: regional('glue', `job/${PROBE_NAME}`) },
      { action: 'glue:StartJobRun', resources: regional('glue', `job/${PROBE_NAME}`) },
    ],
  },
  {
    name: 'ecs',
    principal: 'ecs-tasks.amazonaws.com',
    actions: [
      { action: 'ecs:RegisterTaskDefinition', resources: anywhere },
      { action: 'ecs:RunTask', resources: regional('ecs', `task-definition/${PROBE_NAME}:1`) },
    ],
  },
  {
    name: 'codebuild',
    principal: 'codebuild.amazonaws.com',
    actions: [
      { action: 'codebuild:CreateProject', resources: regional('codebuild', `project/${PROBE_NAME}`) },
      { action: 'codebuild:StartBuild', resources: regional('codebuild', `project/${PROBE_NAME}`) },
    ],
  },
];

/** What is known of a request an IAM user signs: who it is. MFA, region, source IP and tags stay unknown. */
export function userRequestContext(user: { userName: string; arn: string }, account: ProbeAccount): RequestContext {
  return { 'aws:username': user.userName, 'aws:principalaccount': account.accountId, 'aws:principalarn': user.arn, 'aws:principaltype': 'User' };
}

/** What is known of a request from a session of `role`: a role session has no user name. */
export function roleSessionContext(roleArn: string, account: ProbeAccount): RequestContext {
  return { 'aws:username': null, 'aws:principalaccount': account.accountId, 'aws:principalarn': roleArn, 'aws:principaltype': 'AssumedRole' };
}

/** An IAM ARN of the account: `user/name`, `role/name`, `group/name`. */
export function iamArn(account: ProbeAccount, resource: string): string {
  return `arn:${account.partition}:iam::${account.accountId}:${resource}`;
}

function regionalArn(account: ProbeAccount, service: string, resource: string): string {
  return `arn:${account.partition}:${service}:${PROBE_REGION}:${account.accountId}:${resource}`;
}
