import {
  GetAccountSummaryCommand,
  ListAccountAliasesCommand,
  paginateListVirtualMFADevices,
  type IAMClient,
} from '@aws-sdk/client-iam';

/** The account's alias, if it has one (an account has at most one). */
export async function readAccountAlias(iam: IAMClient): Promise<string | null> {
  const out = await iam.send(new ListAccountAliasesCommand({}));
  return out.AccountAliases?.[0] ?? null;
}

/** Root MFA and root key presence, which the credential report also has; this works without it. */
export async function readRootSummary(iam: IAMClient): Promise<{ mfaActive: boolean; accessKeysPresent: boolean }> {
  const out = await iam.send(new GetAccountSummaryCommand({}));
  return {
    mfaActive: out.SummaryMap?.AccountMFAEnabled === 1,
    accessKeysPresent: (out.SummaryMap?.AccountAccessKeysPresent ?? 0) > 0,
  };
}

/**
 * Virtual MFA devices by user, in one paginated account-wide call instead of ListMFADevices per
 * user. A user with MFA active and no virtual device uses a hardware or FIDO key.
 */
export async function readVirtualMfaSerials(iam: IAMClient): Promise<Map<string, string[]>> {
  const byUser = new Map<string, string[]>();
  for await (const page of paginateListVirtualMFADevices({ client: iam, pageSize: 1000 }, { AssignmentStatus: 'Assigned' })) {
    for (const device of page.VirtualMFADevices ?? []) {
      const userName = device.User?.UserName;
      if (!userName || !device.SerialNumber) continue;
      byUser.set(userName, [...(byUser.get(userName) ?? []), device.SerialNumber]);
    }
  }
  return byUser;
}
