/**
 * The audit snapshot: the versioned inventory that every later phase reads from `audit.json`.
 * Dates are ISO-8601 strings so that the snapshot round-trips through JSON unchanged.
 */

export const AUDIT_SCHEMA_VERSION = 1;

/** A policy document as IAM returns it, after URL-decoding and JSON parsing. */
export interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement: PolicyStatement | PolicyStatement[];
}

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Principal?: unknown;
  NotPrincipal?: unknown;
  Condition?: Record<string, unknown>;
}

export interface InlinePolicy {
  name: string;
  document: PolicyDocument;
}

export interface AttachedPolicyRef {
  name: string;
  arn: string;
}

export interface Tag {
  key: string;
  value: string;
}

/** A customer-managed policy with its default version's document. */
export interface ManagedPolicy {
  name: string;
  arn: string;
  path: string;
  attachmentCount: number;
  defaultVersionId: string;
  document: PolicyDocument;
}

export interface Group {
  name: string;
  arn: string;
  groupId: string;
  path: string;
  inlinePolicies: InlinePolicy[];
  attachedPolicies: AttachedPolicyRef[];
  members: string[];
}

export interface Role {
  name: string;
  arn: string;
  path: string;
  trustPolicy: PolicyDocument | null;
  inlinePolicies: InlinePolicy[];
  attachedPolicies: AttachedPolicyRef[];
}

/** One access key slot of the credential report. The report carries no key IDs. */
export interface AccessKeySummary {
  slot: 1 | 2;
  active: boolean;
  lastRotated: string | null;
  lastUsedDate: string | null;
  lastUsedRegion: string | null;
  lastUsedService: string | null;
}

export interface SigningCertificateSummary {
  slot: 1 | 2;
  active: boolean;
  lastRotated: string | null;
}

export interface ConsoleAccess {
  enabled: boolean;
  lastUsed: string | null;
  lastChanged: string | null;
}

export interface MfaSummary {
  active: boolean;
  /** Virtual devices assigned to the user; an active MFA with none here is a hardware or FIDO device. */
  virtualDeviceSerials: string[];
}

/** What the credential report says about one user; null fields mean the report could not be read. */
export interface CredentialReportRow {
  user: string;
  arn: string;
  userCreationTime: string | null;
  passwordEnabled: boolean | null;
  passwordLastUsed: string | null;
  passwordLastChanged: string | null;
  passwordNextRotation: string | null;
  mfaActive: boolean;
  accessKeys: AccessKeySummary[];
  certificates: SigningCertificateSummary[];
}

export type UserKind = 'human' | 'machine' | 'unknown';

export interface Classification {
  kind: UserKind;
  /** Short, stable reason codes with a readable explanation each. */
  reasons: ClassificationReason[];
}

export interface ClassificationReason {
  code: string;
  points: 'human' | 'machine';
  detail: string;
}

/**
 * How a path reaches administrator access. The first four are the user's own policies granting it;
 * the rest are one step the user may take to make itself administrator, or (in `deniedBy` and
 * conditional paths only) the boundary and trust policies that decide a path.
 */
export type AdminRoute =
  | 'managed-policy'
  | 'inline-policy'
  | 'group-managed-policy'
  | 'group-inline-policy'
  | 'permissions-boundary'
  | 'trust-policy'
  | 'iam-full-access'
  | 'user-policy'
  | 'group-policy'
  | 'policy-version'
  | 'join-group'
  | 'user-credentials'
  | 'assume-role'
  | 'update-trust'
  | 'pass-role';

export interface AdminPath {
  /** How the user reaches administrator access. */
  via: AdminRoute;
  /** The policy ARN or name, the group, the role or the user the path goes through. */
  source: string;
  /** The actions the step takes (`sts:AssumeRole`; `iam:PassRole`, `ec2:RunInstances`), for the one-step routes. */
  actions?: string[];
  /** The user's policies whose statements decide it: `group Developers managed-policy arn:aws:iam::aws:policy/PowerUserAccess`. */
  through?: string[];
  /** Condition keys not known at audit time that the path depends on (`aws:MultiFactorAuthPresent`). */
  unknownKeys?: string[];
}

/**
 * - `admin`: allowed every action on every resource by its own policies, with no condition.
 * - `near-admin`: can make itself administrator in one step (a policy on itself, an admin role, ...).
 * - `conditional-admin`: either of those, but only under a condition the audit cannot know (MFA, region, source IP, tags).
 */
export type AdminLevel = 'admin' | 'near-admin' | 'conditional-admin' | 'none';

export interface AdminAccess {
  level: AdminLevel;
  /** The policies that make the user administrator, unconditionally. */
  paths: AdminPath[];
  /** One-step routes to administrator access that hold unconditionally. */
  nearAdminPaths: AdminPath[];
  /** Administrator access or a route to it that depends on a condition not known at audit time. */
  conditionalPaths: AdminPath[];
  /** The explicit Denies (AWSDenyAll, a deny-all, a trust policy Deny) that cancel what would otherwise be a path. */
  deniedBy: AdminPath[];
  /** Policies that reach the user but whose documents are not known: what they grant is not counted. */
  unreadPolicies: string[];
}

export interface UserRecord {
  userName: string;
  userId: string;
  arn: string;
  path: string;
  createDate: string;
  tags: Tag[];
  groups: string[];
  inlinePolicies: InlinePolicy[];
  attachedPolicies: AttachedPolicyRef[];
  permissionsBoundary: string | null;
  /** null when the credential report could not be read. */
  console: ConsoleAccess | null;
  mfa: MfaSummary | null;
  accessKeys: AccessKeySummary[] | null;
  signingCertificates: SigningCertificateSummary[] | null;
  /** Same as `adminAccess.paths`. */
  adminPaths: AdminPath[];
  /** Same as `adminAccess.level === 'admin'`. */
  isAdmin: boolean;
  /** Absent in an audit written before the levels were recorded. */
  adminAccess?: AdminAccess;
  isCaller: boolean;
  classification: Classification;
}

export interface RootAccountSummary {
  mfaActive: boolean | null;
  accessKeysPresent: boolean | null;
  accessKeys: AccessKeySummary[];
  passwordLastUsed: string | null;
}

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';

export interface Finding {
  /** Stable identifier of the rule, e.g. `console-without-mfa`. */
  rule: string;
  severity: Severity;
  /** The user concerned, or `<root_account>` for the root user, or null for account-wide findings. */
  subject: string | null;
  message: string;
  recommendation: string;
}

export interface CallerIdentity {
  accountId: string;
  arn: string;
  userId: string;
  partition: string;
}

export interface IdentityCenterInstance {
  instanceArn: string;
  identityStoreId: string;
  ownerAccountId: string | null;
  name: string | null;
  status: string | null;
  region: string;
}

/** Something the audit could not read, and what the caller needs to read it. */
export interface AuditGap {
  source: 'credential-report' | 'account-alias' | 'account-summary' | 'identity-center' | 'virtual-mfa' | 'aws-managed-policies';
  missingAction: string;
  impact: string;
  errorName: string;
}

export interface CredentialReportInfo {
  generatedAt: string;
  /** true when an existing report younger than 4 hours was reused instead of regenerated. */
  reused: boolean;
}

export interface AuditSnapshot {
  schemaVersion: typeof AUDIT_SCHEMA_VERSION;
  generatedAt: string;
  toolVersion: string;
  caller: CallerIdentity;
  accountAlias: string | null;
  region: string;
  identityCenter: {
    instances: IdentityCenterInstance[];
    region: string;
  } | null;
  credentialReport: CredentialReportInfo | null;
  root: RootAccountSummary | null;
  users: UserRecord[];
  groups: Group[];
  roles: Role[];
  managedPolicies: ManagedPolicy[];
  /**
   * The default-version documents of the AWS-managed policies attached to a user, a group or a role.
   * Absent in an audit written before they were read: later phases fetch what they need then.
   */
  awsManagedPolicies?: ManagedPolicy[];
  findings: Finding[];
  gaps: AuditGap[];
}
