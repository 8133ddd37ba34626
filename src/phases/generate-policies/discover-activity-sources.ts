import { DescribeTrailsCommand, GetEventSelectorsCommand, type CloudTrailClient, type Trail } from '@aws-sdk/client-cloudtrail';
import { parse as parseArn } from '@aws-sdk/util-arn-parser';
import { isAccessDenied, isCredentialError } from '../../call-errors.js';
import { UserError } from '../../errors.js';
import { statementAppliesToAction, statementsOf, toArray } from '../../model/policy-statements.js';
import type { AuditSnapshot, Role } from '../../model/inventory.js';

/** The doc page on what policy generation needs (trail, service role, permissions). */
export const POLICY_GENERATION_DOC = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-policy-generation.html';
const ACCESS_ANALYZER_PRINCIPAL = 'access-analyzer.amazonaws.com';
/** The name the IAM console gives the role it creates for policy generation (`service-role/` path). */
const CONSOLE_ROLE_PREFIX = 'AccessAnalyzerMonitorServiceRole';

/** The trail as `StartPolicyGeneration` takes it. */
export interface GenerationTrail {
  cloudTrailArn: string;
  allRegions: boolean;
  regions?: string[];
}

export interface TrailChoice {
  trail: GenerationTrail;
  name: string | null;
  s3BucketName: string | null;
  kmsKeyId: string | null;
  source: 'flag' | 'discovered';
  /** Why this trail, in one sentence. */
  reason: string;
}

export interface AccessRoleChoice {
  roleArn: string;
  source: 'flag' | 'audit';
  reason: string;
}

/** Why activity cannot be analysed, and exactly what to create or grant. */
export interface ActivitySourceProblem {
  code: 'NO_TRAIL' | 'NO_ACCESS_ROLE' | 'TRAILS_UNREADABLE';
  message: string;
  resolution: string;
  /** The IAM action the caller lacks, when a denied call is the cause. */
  missingAction: string | null;
  docUrl: string | null;
}

export type TrailDiscovery = { found: true; choice: TrailChoice } | { found: false; problem: ActivitySourceProblem };
export type AccessRoleDiscovery = { found: true; choice: AccessRoleChoice } | { found: false; problem: ActivitySourceProblem };

/** Both sources found, or what is missing (the caller then goes on with the group-derived policies). */
export type ActivitySources =
  | { ready: true; trail: TrailChoice; accessRole: AccessRoleChoice }
  | { ready: false; trail: TrailChoice | null; accessRole: AccessRoleChoice | null; problems: ActivitySourceProblem[] };

export interface DiscoverActivitySourcesOptions {
  /** `--trail-arn`: used as given (its shape is checked), no DescribeTrails call. */
  trailArn?: string;
  /** `--access-role-arn`: used as given (its shape is checked). */
  accessRoleArn?: string;
  abortSignal?: AbortSignal;
}

type CloudTrailSender = Pick<CloudTrailClient, 'send'>;

/**
 * Checks the shape of `--trail-arn` and `--access-role-arn` before any AWS call.
 * @throws UserError `INVALID_TRAIL_ARN` / `INVALID_ACCESS_ROLE_ARN`
 */
export function checkActivitySourceArns(options: Pick<DiscoverActivitySourcesOptions, 'trailArn' | 'accessRoleArn'>): void {
  if (options.trailArn !== undefined && !isTrailArn(options.trailArn)) {
    throw new UserError(
      'INVALID_TRAIL_ARN',
      `--trail-arn ${options.trailArn} is not a CloudTrail trail ARN.`,
      'Give the ARN as `aws cloudtrail describe-trails --query "trailList[].TrailARN"` shows it: arn:aws:cloudtrail:<region>:<account>:trail/<name>.',
    );
  }
  if (options.accessRoleArn !== undefined && !isRoleArn(options.accessRoleArn)) {
    throw new UserError(
      'INVALID_ACCESS_ROLE_ARN',
      `--access-role-arn ${options.accessRoleArn} is not an IAM role ARN.`,
      'Give the role ARN as `aws iam get-role --role-name <name> --query Role.Arn` shows it: arn:aws:iam::<account>:role/<path/><name>.',
    );
  }
}

/**
 * Finds the trail and the access role that `StartPolicyGeneration` needs. At most one DescribeTrails
 * call (none with `--trail-arn`), plus GetEventSelectors for trails with custom selectors; the role
 * comes from the audit snapshot. Credential errors propagate; a denied DescribeTrails is a problem.
 */
export async function discoverActivitySources(
  cloudTrail: CloudTrailSender,
  snapshot: Pick<AuditSnapshot, 'roles' | 'caller' | 'region'>,
  options: DiscoverActivitySourcesOptions = {},
): Promise<ActivitySources> {
  checkActivitySourceArns(options);
  const trail = await discoverTrail(cloudTrail, snapshot, options);
  const accessRole = findAccessRole(snapshot.roles, options.accessRoleArn);
  if (trail.found && accessRole.found) return { ready: true, trail: trail.choice, accessRole: accessRole.choice };
  return {
    ready: false,
    trail: trail.found ? trail.choice : null,
    accessRole: accessRole.found ? accessRole.choice : null,
    problems: [...(trail.found ? [] : [trail.problem]), ...(accessRole.found ? [] : [accessRole.problem])],
  };
}

/**
 * The trail to analyse: `--trail-arn`, else the best trail that logs management events. Multi-region
 * trails come first (they see every region's calls), then organization trails, then any other.
 */
export async function discoverTrail(
  cloudTrail: CloudTrailSender,
  snapshot: Pick<AuditSnapshot, 'caller' | 'region'>,
  options: Pick<DiscoverActivitySourcesOptions, 'trailArn' | 'abortSignal'> = {},
): Promise<TrailDiscovery> {
  if (options.trailArn !== undefined) {
    const choice: TrailChoice = {
      trail: { cloudTrailArn: options.trailArn, allRegions: true },
      name: parseArn(options.trailArn).resource.slice('trail/'.length),
      s3BucketName: null,
      kmsKeyId: null,
      source: 'flag',
      reason: 'given with --trail-arn',
    };
    return { found: true, choice };
  }
  let trails: Trail[];
  try {
    // Shadow trails are how a multi-region or organization trail homed elsewhere shows up in this region.
    const output = await cloudTrail.send(new DescribeTrailsCommand({ includeShadowTrails: true }), { abortSignal: options.abortSignal });
    trails = uniqueByArn(output?.trailList ?? []);
  } catch (error) {
    if (isCredentialError(error) || !(error instanceof Error) || !('$metadata' in error)) throw error;
    return { found: false, problem: trailsUnreadable(error.name, isAccessDenied(error)) };
  }
  const ranked = [...trails].sort(compareTrails);
  let unconfirmed: Trail | null = null;
  for (const trail of ranked) {
    const logsManagement = await logsManagementEvents(cloudTrail, trail, options.abortSignal);
    if (logsManagement === true) return { found: true, choice: toChoice(trail, ranked.length, true) };
    if (logsManagement === null && unconfirmed === null) unconfirmed = trail;
  }
  if (unconfirmed !== null) return { found: true, choice: toChoice(unconfirmed, ranked.length, false) };
  return { found: false, problem: noTrail(snapshot.caller.accountId, snapshot.region, trails.length) };
}

/**
 * The access role: `--access-role-arn`, else a role of the audited account that trusts
 * `access-analyzer.amazonaws.com` (no extra call). The console's own role is preferred, then by name.
 */
export function findAccessRole(roles: Role[], accessRoleArn?: string): AccessRoleDiscovery {
  if (accessRoleArn !== undefined) {
    return { found: true, choice: { roleArn: accessRoleArn, source: 'flag', reason: 'given with --access-role-arn' } };
  }
  const candidates = roles
    .filter((role) => trustsAccessAnalyzer(role))
    .sort((a, b) => Number(isConsoleRole(b)) - Number(isConsoleRole(a)) || a.name.localeCompare(b.name));
  const [role] = candidates;
  if (role === undefined) return { found: false, problem: noAccessRole() };
  const others = candidates.length > 1 ? ` (${candidates.length - 1} other role(s) qualify; choose one with --access-role-arn)` : '';
  return {
    found: true,
    choice: { roleArn: role.arn, source: 'audit', reason: `role ${role.name} trusts ${ACCESS_ANALYZER_PRINCIPAL}${others}` },
  };
}

function trustsAccessAnalyzer(role: Role): boolean {
  return statementsOf(role.trustPolicy).some(
    (statement) =>
      statement.Effect === 'Allow' &&
      statementAppliesToAction(statement, 'sts:AssumeRole') &&
      servicePrincipals(statement.Principal).includes(ACCESS_ANALYZER_PRINCIPAL),
  );
}

function servicePrincipals(principal: unknown): string[] {
  if (typeof principal !== 'object' || principal === null) return [];
  const service = (principal as { Service?: unknown }).Service;
  return toArray(service as string | string[] | undefined).filter((value): value is string => typeof value === 'string');
}

function isConsoleRole(role: Role): boolean {
  return role.name.startsWith(CONSOLE_ROLE_PREFIX);
}

/** true: logs management events; false: it does not; null: could not tell (GetEventSelectors refused). */
async function logsManagementEvents(cloudTrail: CloudTrailSender, trail: Trail, abortSignal?: AbortSignal): Promise<boolean | null> {
  // Without custom selectors a trail logs every management event (CloudTrail's default selector).
  if (trail.HasCustomEventSelectors !== true) return true;
  try {
    const output = await cloudTrail.send(new GetEventSelectorsCommand({ TrailName: trail.TrailARN }), { abortSignal });
    if (!output) return null;
    const basic = (output.EventSelectors ?? []).some((selector) => selector.IncludeManagementEvents !== false);
    const advanced = (output.AdvancedEventSelectors ?? []).some((selector) =>
      (selector.FieldSelectors ?? []).some((field) => field.Field === 'eventCategory' && (field.Equals ?? []).includes('Management')),
    );
    return basic || advanced;
  } catch (error) {
    if (isCredentialError(error)) throw error;
    return null;
  }
}

function compareTrails(a: Trail, b: Trail): number {
  return rank(a) - rank(b) || (a.Name ?? '').localeCompare(b.Name ?? '');
}

function rank(trail: Trail): number {
  if (trail.IsMultiRegionTrail === true) return 0;
  return trail.IsOrganizationTrail === true ? 1 : 2;
}

function toChoice(trail: Trail, count: number, confirmed: boolean): TrailChoice {
  const multiRegion = trail.IsMultiRegionTrail === true;
  const kind = multiRegion ? 'multi-region' : trail.IsOrganizationTrail === true ? 'organization' : 'single-region';
  const others = count > 1 ? `, preferred over ${count - 1} other trail(s)` : '';
  const logging = confirmed ? 'logs management events' : 'has custom event selectors that could not be read (cloudtrail:GetEventSelectors), so management events are assumed';
  // A single-region trail's bucket only holds its home region: ask for that region, not all of them.
  const trailSpec: GenerationTrail =
    multiRegion || trail.HomeRegion === undefined
      ? { cloudTrailArn: trail.TrailARN ?? '', allRegions: true }
      : { cloudTrailArn: trail.TrailARN ?? '', allRegions: false, regions: [trail.HomeRegion] };
  return {
    trail: trailSpec,
    name: trail.Name ?? null,
    s3BucketName: trail.S3BucketName ?? null,
    kmsKeyId: trail.KmsKeyId ?? null,
    source: 'discovered',
    reason: `${kind} trail ${trail.Name ?? trail.TrailARN} ${logging}${others}`,
  };
}

function uniqueByArn(trails: Trail[]): Trail[] {
  const byArn = new Map<string, Trail>();
  for (const trail of trails) if (trail.TrailARN && !byArn.has(trail.TrailARN)) byArn.set(trail.TrailARN, trail);
  return [...byArn.values()];
}

function trailsUnreadable(errorName: string, denied: boolean): ActivitySourceProblem {
  return {
    code: 'TRAILS_UNREADABLE',
    message: denied ? 'The caller may not list CloudTrail trails.' : `Listing CloudTrail trails failed (${errorName}).`,
    resolution: 'Grant cloudtrail:DescribeTrails, or name the trail with --trail-arn.',
    missingAction: denied ? 'cloudtrail:DescribeTrails' : null,
    docUrl: POLICY_GENERATION_DOC,
  };
}

function noTrail(accountId: string, region: string, trailCount: number): ActivitySourceProblem {
  const name = 'iam2idc-activity';
  const bucket = `aws-cloudtrail-logs-${accountId}-iam2idc`;
  return {
    code: 'NO_TRAIL',
    message:
      trailCount === 0
        ? 'No CloudTrail trail records this account\'s API calls, so there is no activity to analyse.'
        : `None of the ${trailCount} CloudTrail trail(s) logs management events.`,
    resolution: [
      `Create a multi-region trail (the bucket needs the CloudTrail bucket policy: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html):`,
      `aws s3api create-bucket --bucket ${bucket} --region ${region}${region === 'us-east-1' ? '' : ` --create-bucket-configuration LocationConstraint=${region}`}`,
      `aws cloudtrail create-trail --name ${name} --s3-bucket-name ${bucket} --is-multi-region-trail --region ${region}`,
      `aws cloudtrail start-logging --name ${name} --region ${region}`,
      'Activity is only recorded from then on: re-run with --from-activity once users have worked for a while.',
    ].join('\n'),
    missingAction: null,
    docUrl: POLICY_GENERATION_DOC,
  };
}

function noAccessRole(): ActivitySourceProblem {
  const trust = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: ACCESS_ANALYZER_PRINCIPAL }, Action: 'sts:AssumeRole' }],
  });
  return {
    code: 'NO_ACCESS_ROLE',
    message: `No IAM role trusts ${ACCESS_ANALYZER_PRINCIPAL}, so IAM Access Analyzer cannot read the trail.`,
    resolution: [
      `Create the service role policy generation uses (see ${POLICY_GENERATION_DOC}), or let the IAM console create it`,
      `(Access Analyzer > Generate policy > "Create and use a new service role"). It needs trust for ${ACCESS_ANALYZER_PRINCIPAL},`,
      'read access to the trail\'s S3 bucket (s3:GetObject, s3:ListBucket) and kms:Decrypt on its KMS key if the logs are encrypted,',
      'plus cloudtrail:GetTrail and iam:GetServiceLastAccessedDetails / iam:GenerateServiceLastAccessedDetails:',
      `aws iam create-role --path /service-role/ --role-name ${CONSOLE_ROLE_PREFIX}_iam2idc --assume-role-policy-document '${trust}'`,
      'Then attach the read permissions and pass the role with --access-role-arn (or run audit again so it is found).',
    ].join('\n'),
    missingAction: null,
    docUrl: POLICY_GENERATION_DOC,
  };
}

function isTrailArn(value: string): boolean {
  const arn = tryParseArn(value);
  return (
    arn !== null &&
    arn.service === 'cloudtrail' &&
    /^[a-z]{2}(-[a-z]+)+-\d$/.test(arn.region) &&
    /^\d{12}$/.test(arn.accountId) &&
    /^trail\/[A-Za-z0-9][A-Za-z0-9._-]{2,127}$/.test(arn.resource)
  );
}

function isRoleArn(value: string): boolean {
  const arn = tryParseArn(value);
  return (
    arn !== null &&
    arn.service === 'iam' &&
    arn.region === '' &&
    /^\d{12}$/.test(arn.accountId) &&
    /^role\/([\x21-\x7e]+\/)?[\w+=,.@-]{1,64}$/.test(arn.resource)
  );
}

function tryParseArn(value: string): ReturnType<typeof parseArn> | null {
  if (!/^arn:aws(-[a-z]+)*:/.test(value)) return null;
  try {
    return parseArn(value);
  } catch {
    return null;
  }
}
