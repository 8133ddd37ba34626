import { analyzeAdminAccess, type AdminAccessContext } from '../../model/admin/admin-access.js';
import { classifyUser } from './classify-user.js';
import type { AuthorizationDetails, UserDetail } from '../../model/collect-authorization-details.js';
import type { CallerIdentity, CredentialReportRow, ManagedPolicy, UserRecord } from '../../model/inventory.js';

export interface UserRecordSources {
  details: AuthorizationDetails;
  /** null when the credential report could not be read. */
  reportRows: CredentialReportRow[] | null;
  /** null when virtual MFA devices could not be listed. */
  virtualMfa: Map<string, string[]> | null;
  /** The AWS-managed policies read by the audit; null or absent when they could not be read. */
  awsManagedPolicies?: readonly ManagedPolicy[] | null;
  caller: CallerIdentity;
  now: Date;
}

/** Joins the authorization details with the credential report into one record per user. */
export function buildUserRecords(sources: UserRecordSources): UserRecord[] {
  const { details, caller, now } = sources;
  // Keyed by ARN, not name: a user re-created under the same name after the report was made is another user.
  const reportByArn = new Map((sources.reportRows ?? []).map((row) => [row.arn, row]));
  const context: AdminAccessContext = {
    groupsByName: new Map(details.groups.map((g) => [g.name, g])),
    managedPoliciesByArn: new Map(details.managedPolicies.map((p) => [p.arn, p])),
    awsManagedPoliciesByArn: new Map((sources.awsManagedPolicies ?? []).map((p) => [p.arn, p])),
    roles: details.roles,
    users: details.users,
    accountId: caller.accountId,
    partition: caller.partition,
  };
  return details.users
    .map((user) => {
      const credentials = joinCredentials(user, reportByArn.get(user.arn), sources.virtualMfa);
      const adminAccess = analyzeAdminAccess(user, context);
      const partial = {
        ...user,
        ...credentials,
        adminPaths: adminAccess.paths,
        isAdmin: adminAccess.level === 'admin',
        adminAccess,
        isCaller: user.userId === caller.userId,
      };
      return { ...partial, classification: classifyUser(partial, { now }) };
    })
    .sort((a, b) => a.userName.localeCompare(b.userName));
}

function joinCredentials(
  user: UserDetail,
  row: CredentialReportRow | undefined,
  virtualMfa: Map<string, string[]> | null,
): Pick<UserRecord, 'console' | 'mfa' | 'accessKeys' | 'signingCertificates'> {
  const serials = virtualMfa?.get(user.userName) ?? [];
  if (!row) {
    return {
      console: null,
      // Without the report, an assigned virtual device still proves MFA; its absence proves nothing.
      mfa: serials.length > 0 ? { active: true, virtualDeviceSerials: serials } : null,
      accessKeys: null,
      signingCertificates: null,
    };
  }
  return {
    console: { enabled: row.passwordEnabled ?? false, lastUsed: row.passwordLastUsed, lastChanged: row.passwordLastChanged },
    mfa: { active: row.mfaActive || serials.length > 0, virtualDeviceSerials: serials },
    accessKeys: row.accessKeys,
    signingCertificates: row.certificates,
  };
}
