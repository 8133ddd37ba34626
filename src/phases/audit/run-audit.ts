import type { IAMClient } from '@aws-sdk/client-iam';
import type { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { Fault } from '../../errors.js';
import { isAccessDenied, isCredentialError } from '../../call-errors.js';
import { say, type IoHost } from '../../io/io-host.js';
import { buildUserRecords } from './build-user-records.js';
import { collectAuthorizationDetails, type AuthorizationDetails } from '../../model/collect-authorization-details.js';
import { discoverIdentityCenter } from './discover-identity-center.js';
import { evaluateFindings } from './evaluate-findings.js';
import { fetchCredentialReport } from './fetch-credential-report.js';
import { readAccountAlias, readRootSummary, readVirtualMfaSerials } from './read-account-extras.js';
import { readOptional, type Optional } from './read-optional.js';
import { fetchAwsManagedDocuments } from '../../model/fetch-aws-managed-documents.js';
import { isAwsManagedPolicyArn } from '../../model/iam-identifiers.js';
import { AUDIT_SCHEMA_VERSION, type AuditGap, type AuditSnapshot, type CallerIdentity, type ManagedPolicy, type PolicyDocument, type RootAccountSummary } from '../../model/inventory.js';

export interface AuditOptions {
  iam: IAMClient;
  ssoAdmin: SSOAdminClient;
  region: string;
  /** Where to look for Identity Center: its recorded home region, or `region`. */
  identityCenterRegion?: string;
  caller: CallerIdentity;
  io: IoHost;
  now: () => Date;
  toolVersion: string;
}

/**
 * Reads the whole account in a fixed number of calls: the authorization details (one paginated
 * call), the credential report, a handful of account-wide reads, and two calls for each distinct
 * AWS-managed policy the account uses. No call is made per user.
 */
export async function runAudit(options: AuditOptions): Promise<AuditSnapshot> {
  const { iam, io } = options;
  const identityCenterRegion = options.identityCenterRegion ?? options.region;
  const progress = io.startProgress('AUDIT_READING', 'Reading the IAM inventory and the credential report');
  try {
    const inventory = readAuthorizationDetails(iam);
    const [details, awsManaged, report, alias, summary, virtualMfa, identityCenter] = await Promise.all([
      inventory,
      inventory.then((read) => readAwsManagedPolicies(iam, read)),
      readOptional(
        'credential-report',
        'iam:GenerateCredentialReport and iam:GetCredentialReport',
        'Console passwords, MFA, access keys and their last use are unknown',
        () => fetchCredentialReport(iam, { now: options.now }),
      ),
      readOptional('account-alias', 'iam:ListAccountAliases', 'The account alias is not shown', () => readAccountAlias(iam)),
      readOptional('account-summary', 'iam:GetAccountSummary', 'Root MFA and root keys are only known from the credential report', () =>
        readRootSummary(iam),
      ),
      readOptional('virtual-mfa', 'iam:ListVirtualMFADevices', 'MFA device serials and types are unknown', () =>
        readVirtualMfaSerials(iam),
      ),
      readOptional(
        'identity-center',
        'sso:ListInstances',
        'Whether IAM Identity Center is enabled is unknown',
        () => discoverIdentityCenter(options.ssoAdmin, identityCenterRegion),
      ),
    ]);
    const gaps: AuditGap[] = [report, alias, summary, virtualMfa, identityCenter, awsManaged].flatMap((r) => (r.ok ? [] : [r.gap]));
    const now = options.now();
    const users = buildUserRecords({
      details,
      reportRows: report.ok ? report.value.rows : null,
      virtualMfa: virtualMfa.ok ? virtualMfa.value : null,
      awsManagedPolicies: awsManaged.ok ? awsManaged.value : null,
      caller: options.caller,
      now,
    });
    const root = summariseRoot(report.ok ? report.value.root : null, summary.ok ? summary.value : null);
    progress.succeed(`Read ${users.length} users, ${details.groups.length} groups and ${details.roles.length} roles`);
    for (const gap of gaps) say.warn(io, `AUDIT_GAP_${gap.source.toUpperCase().replace(/-/g, '_')}`, `${gap.source}: ${gap.impact}`, gap);
    return {
      schemaVersion: AUDIT_SCHEMA_VERSION,
      generatedAt: now.toISOString(),
      toolVersion: options.toolVersion,
      caller: options.caller,
      accountAlias: alias.ok ? alias.value : null,
      region: options.region,
      identityCenter: identityCenter.ok ? { instances: identityCenter.value, region: identityCenterRegion } : null,
      credentialReport: report.ok ? { generatedAt: report.value.generatedAt, reused: report.value.reused } : null,
      root,
      users,
      groups: details.groups,
      roles: details.roles,
      managedPolicies: details.managedPolicies,
      awsManagedPolicies: awsManaged.ok ? awsManaged.value : [],
      findings: evaluateFindings({ users, root, now }),
      gaps,
    };
  } catch (error) {
    progress.fail('The IAM inventory could not be read');
    throw error;
  }
}

/** The documents of the AWS-managed policies in use, so that admin detection and later phases can judge them. */
function readAwsManagedPolicies(iam: IAMClient, details: AuthorizationDetails): Promise<Optional<ManagedPolicy[]>> {
  return readOptional(
    'aws-managed-policies',
    'iam:GetPolicy and iam:GetPolicyVersion',
    'The documents of AWS-managed policies are unknown: only AdministratorAccess and AWSDenyAll are understood, so administrator access through any other is not seen, and verify reads them later',
    async () => [...(await fetchAwsManagedDocuments(iam, awsManagedArnsOf(details)))].map(([arn, document]) => awsManagedPolicy(arn, document)),
  );
}

/** The AWS-managed policies anything in the account uses: attached to a user, group or role, or a user's boundary. */
function awsManagedArnsOf(details: AuthorizationDetails): string[] {
  const arns = [
    ...details.users.flatMap((u) => [...u.attachedPolicies.map((p) => p.arn), ...(u.permissionsBoundary ? [u.permissionsBoundary] : [])]),
    ...details.groups.flatMap((g) => g.attachedPolicies.map((p) => p.arn)),
    ...details.roles.flatMap((r) => r.attachedPolicies.map((p) => p.arn)),
  ];
  return [...new Set(arns.filter(isAwsManagedPolicyArn))];
}

/** `arn:aws:iam::aws:policy/job-function/ViewOnlyAccess` → name ViewOnlyAccess, path /job-function/. */
function awsManagedPolicy(arn: string, document: PolicyDocument): ManagedPolicy {
  const resource = arn.slice(arn.indexOf(':policy/') + ':policy'.length);
  const cut = resource.lastIndexOf('/');
  return { name: resource.slice(cut + 1), arn, path: resource.slice(0, cut + 1), attachmentCount: 0, defaultVersionId: '', document };
}

async function readAuthorizationDetails(iam: IAMClient): Promise<AuthorizationDetails> {
  try {
    return await collectAuthorizationDetails(iam);
  } catch (error) {
    if (isCredentialError(error) || !isAccessDenied(error)) throw error;
    // Without the inventory itself there is nothing to audit.
    throw new Fault(
      'AUDIT_INVENTORY_DENIED',
      'The caller may not read the IAM inventory (iam:GetAccountAuthorizationDetails was denied).',
      'Grant iam:GetAccountAuthorizationDetails (the AWS-managed SecurityAudit or IAMReadOnlyAccess policy includes it) and re-run audit.',
      { cause: error },
    );
  }
}

function summariseRoot(
  row: { mfaActive: boolean; accessKeys: RootAccountSummary['accessKeys']; passwordLastUsed: string | null } | null,
  summary: { mfaActive: boolean; accessKeysPresent: boolean } | null,
): RootAccountSummary | null {
  if (!row && !summary) return null;
  return {
    mfaActive: summary?.mfaActive ?? row?.mfaActive ?? null,
    accessKeysPresent: summary?.accessKeysPresent ?? (row ? row.accessKeys.some((k) => k.active) : null),
    accessKeys: row?.accessKeys ?? [],
    passwordLastUsed: row?.passwordLastUsed ?? null,
  };
}
