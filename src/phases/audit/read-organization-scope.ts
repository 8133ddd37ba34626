/**
 * The accounts an organization-wide migration covers (`audit --org`): every ACTIVE account of the
 * organization, or those named with `--accounts`, or those under `--ou` (recursively). Read with the
 * hub's credentials, since only the management account or a delegated administrator may list them.
 */
import {
  DescribeOrganizationCommand,
  paginateListAccounts,
  paginateListAccountsForParent,
  paginateListOrganizationalUnitsForParent,
  type Account,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { isAccessDenied } from '../../call-errors.js';
import { UserError } from '../../errors.js';

export interface ScopedAccount {
  accountId: string;
  name: string;
  email: string;
}

export interface OrganizationScope {
  organizationId: string;
  managementAccountId: string;
  /** The accounts to migrate, by ID. */
  accounts: ScopedAccount[];
  /** Accounts the selection reached but that are left out, with why (suspended, closing). */
  excluded: (ScopedAccount & { reason: string })[];
}

export interface ScopeSelection {
  /** `--accounts`: only these account IDs. */
  accounts?: string[];
  /** `--ou`: only the accounts under these organizational units (or roots), at any depth. */
  organizationalUnits?: string[];
}

/**
 * @throws UserError `ORG_NOT_IN_USE` (the caller's account is in no organization), `ORG_NOT_HUB` (the
 * caller may not list the organization's accounts), `ACCOUNT_NOT_IN_ORGANIZATION` or `OU_NOT_FOUND`
 * (a selection that names what the organization does not have).
 */
export async function readOrganizationScope(organizations: Pick<OrganizationsClient, 'send'>, selection: ScopeSelection = {}): Promise<OrganizationScope> {
  try {
    const { Organization: organization } = await organizations.send(new DescribeOrganizationCommand({}));
    // The whole list is read only when it is needed: the whole organization, or to check --accounts.
    const byOu = selection.organizationalUnits?.length ? await accountsUnder(organizations, selection.organizationalUnits) : null;
    const all = byOu === null || selection.accounts?.length ? await listAll(organizations) : [];
    const reached = byOu ?? all;
    let chosen = reached;
    if (selection.accounts?.length) {
      const known = new Set(all.map((a) => a.Id ?? ''));
      const unknown = selection.accounts.filter((id) => !known.has(id));
      if (unknown.length > 0) {
        throw new UserError('ACCOUNT_NOT_IN_ORGANIZATION', `--accounts names ${unknown.join(', ')}, not in organization ${organization?.Id ?? ''}.`, 'Give account IDs of the organization (aws organizations list-accounts lists them).');
      }
      const wanted = new Set(selection.accounts);
      chosen = reached.filter((a) => wanted.has(a.Id ?? ''));
    }
    const accounts: ScopedAccount[] = [];
    const excluded: OrganizationScope['excluded'] = [];
    for (const account of [...chosen].sort((a, b) => (a.Id ?? '').localeCompare(b.Id ?? ''))) {
      const scoped = { accountId: account.Id ?? '', name: account.Name ?? '', email: account.Email ?? '' };
      // `State` replaces the deprecated `Status`; either says whether the account can be worked in.
      const state = account.State ?? account.Status ?? 'ACTIVE';
      if (state === 'ACTIVE') accounts.push(scoped);
      else excluded.push({ ...scoped, reason: `the account is ${state.toLowerCase().replace(/_/g, ' ')}` });
    }
    return { organizationId: organization?.Id ?? '', managementAccountId: organization?.MasterAccountId ?? '', accounts, excluded };
  } catch (error) {
    throw scopeError(error) ?? error;
  }
}

async function listAll(organizations: Pick<OrganizationsClient, 'send'>): Promise<Account[]> {
  const accounts: Account[] = [];
  for await (const page of paginateListAccounts({ client: organizations as OrganizationsClient }, {})) accounts.push(...(page.Accounts ?? []));
  return accounts;
}

/** The accounts under each parent, at any depth, each once. */
async function accountsUnder(organizations: Pick<OrganizationsClient, 'send'>, parents: string[]): Promise<Account[]> {
  const client = { client: organizations as OrganizationsClient };
  const found = new Map<string, Account>();
  const queue = [...new Set(parents)];
  const seen = new Set(queue);
  while (queue.length > 0) {
    const parentId = queue.shift() ?? '';
    for await (const page of paginateListAccountsForParent(client, { ParentId: parentId })) for (const account of page.Accounts ?? []) found.set(account.Id ?? '', account);
    for await (const page of paginateListOrganizationalUnitsForParent(client, { ParentId: parentId })) {
      for (const unit of page.OrganizationalUnits ?? []) {
        if (unit.Id && !seen.has(unit.Id)) {
          seen.add(unit.Id);
          queue.push(unit.Id);
        }
      }
    }
  }
  return [...found.values()];
}

function scopeError(error: unknown): UserError | null {
  if (!(error instanceof Error)) return null;
  if (error.name === 'AWSOrganizationsNotInUseException') {
    return new UserError('ORG_NOT_IN_USE', 'The account of these credentials is not in an AWS Organization.', 'Run without --org to migrate this account alone.');
  }
  if (error.name === 'ParentNotFoundException' || error.name === 'ChildNotFoundException' || error.name === 'InvalidInputException') {
    return new UserError('OU_NOT_FOUND', `--ou names an organizational unit the organization does not have (${error.message}).`, 'Give OU or root IDs (ou-…, r-…) of this organization: aws organizations list-roots, list-organizational-units-for-parent.');
  }
  if (isAccessDenied(error)) {
    return new UserError(
      'ORG_NOT_HUB',
      `These credentials may not list the organization's accounts (${error.name}).`,
      'Use credentials of the management account or of the Identity Center delegated administrator (organizations:DescribeOrganization, organizations:ListAccounts, organizations:ListAccountsForParent, organizations:ListOrganizationalUnitsForParent).',
    );
  }
  return null;
}
