import {
  DescribeAccountCommand,
  paginateListAccountsForParent,
  paginateListOrganizationalUnitsForParent,
  type Account,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { isAccessDenied } from '../../call-errors.js';
import { Fault, UserError } from '../../errors.js';
import type { Mapping } from '../../workspace/mapping-schema.js';
import { MAPPING_FILE } from '../../workspace/mapping-file.js';

/** An account a target named that cannot be given access now. */
export interface SkippedAccount {
  accountId: string;
  name: string | null;
  /** The account's state, e.g. SUSPENDED. */
  state: string;
  /** The mapping field that reached it: `assignments[0].targets[1]`. */
  via: string;
}

export interface ExpandedTargets {
  /** For each entry of `mapping.assignments`, in order, the active accounts it targets (sorted, unique). */
  accountsByAssignment: string[][];
  /** Suspended or closing accounts, left out of every assignment and reported. */
  skipped: SkippedAccount[];
}

export interface ExpandTargetsOptions {
  /** The audited account: the target of an entry that names none, and never looked up. */
  auditedAccount: string;
  /** Names the file in errors; defaults to `mapping.yaml`. */
  mappingFile?: string;
  signal?: AbortSignal;
}

/** Accounts in these states cannot receive assignments (`State`, and the older `Status`). */
const INACTIVE_STATES = new Set(['SUSPENDED', 'CLOSED', 'PENDING_CLOSURE']);

/** Answers that say the organization cannot be read by this caller. */
const NO_ORGANIZATION = new Set(['AWSOrganizationsNotInUseException', 'AccessDeniedForDependencyException']);

/**
 * The accounts each assignment of the mapping targets. Account IDs stay as they are; other than the
 * audited account, each is checked once with `DescribeAccount` to catch a typo (an account outside
 * the organization) and a suspended account. OU and root IDs expand to every account below them,
 * recursively. When the organization cannot be read, account IDs are taken as given, while an OU
 * target fails: it cannot be expanded.
 */
export async function expandTargets(organizations: OrganizationsClient, mapping: Pick<Mapping, 'assignments'>, options: ExpandTargetsOptions): Promise<ExpandedTargets> {
  const file = options.mappingFile ?? MAPPING_FILE;
  const reader = new OrganizationReader(organizations, options.signal);
  const skipped = new Map<string, SkippedAccount>();
  const accountsByAssignment: string[][] = [];

  for (const [i, entry] of mapping.assignments.entries()) {
    const accounts = new Set<string>();
    const targets = entry.targets.length > 0 ? entry.targets : [options.auditedAccount];
    for (const [j, target] of targets.entries()) {
      const field = `assignments[${i}].targets[${j}]`;
      const found = target === options.auditedAccount ? [{ Id: target, State: 'ACTIVE' as const }] : await reader.expand(target, field, file);
      for (const account of found) {
        if (!account.Id) continue;
        const state = inactiveState(account);
        if (state === null) accounts.add(account.Id);
        else if (!skipped.has(account.Id)) skipped.set(account.Id, { accountId: account.Id, name: account.Name ?? null, state, via: field });
      }
    }
    accountsByAssignment.push([...accounts].sort());
  }
  return { accountsByAssignment, skipped: [...skipped.values()].sort((a, b) => a.accountId.localeCompare(b.accountId)) };
}

function inactiveState(account: Pick<Account, 'State' | 'Status'>): string | null {
  if (account.State !== undefined && INACTIVE_STATES.has(account.State)) return account.State;
  if (account.Status !== undefined && INACTIVE_STATES.has(account.Status)) return account.Status;
  return null;
}

/** True when the error means this caller cannot read the organization at all. */
function isNoOrganization(error: unknown): boolean {
  return isAccessDenied(error) || (error instanceof Error && NO_ORGANIZATION.has(error.name));
}

/** Reads each parent and account once per run, however many targets reach it. */
class OrganizationReader {
  private readonly children = new Map<string, Promise<{ accounts: Account[]; units: string[] }>>();
  private readonly accounts = new Map<string, Promise<Account[]>>();

  constructor(
    private readonly organizations: OrganizationsClient,
    private readonly signal?: AbortSignal,
  ) {}

  async expand(target: string, field: string, file: string): Promise<Account[]> {
    if (!/^\d{12}$/.test(target)) return this.expandParent(target, field, file);
    let pending = this.accounts.get(target);
    if (pending === undefined) {
      pending = this.describeAccount(target, field, file);
      this.accounts.set(target, pending);
    }
    return pending;
  }

  private async describeAccount(accountId: string, field: string, file: string): Promise<Account[]> {
    try {
      const out = await this.organizations.send(new DescribeAccountCommand({ AccountId: accountId }), { abortSignal: this.signal });
      return [out.Account ?? { Id: accountId }];
    } catch (error) {
      // Without access to the organization, an account ID cannot be checked, and need not be.
      if (isNoOrganization(error)) return [{ Id: accountId }];
      if (error instanceof Error && error.name === 'AccountNotFoundException') {
        throw new UserError('TARGET_ACCOUNT_NOT_FOUND', `${file} ${field}: account ${accountId} is not in this organization.`, `Check the account ID in ${field}; \`aws organizations list-accounts\` lists the accounts of the organization.`);
      }
      throw error;
    }
  }

  /** Every account below an OU or root, breadth first. */
  private async expandParent(root: string, field: string, file: string): Promise<Account[]> {
    const found: Account[] = [];
    const queue = [root];
    try {
      for (let parent = queue.shift(); parent !== undefined; parent = queue.shift()) {
        const { accounts, units } = await this.childrenOf(parent);
        found.push(...accounts);
        queue.push(...units);
      }
    } catch (error) {
      if (error instanceof Error && (error.name === 'ParentNotFoundException' || error.name === 'TargetNotFoundException')) {
        throw new UserError('TARGET_OU_NOT_FOUND', `${file} ${field}: ${root} is not an OU or root of this organization.`, `Check the ID in ${field}; \`aws organizations list-roots\` and \`list-organizational-units-for-parent\` list them.`);
      }
      if (isNoOrganization(error)) {
        throw new Fault(
          'ORGANIZATIONS_UNAVAILABLE',
          `${file} ${field} names ${root}, but the organization cannot be read to expand it (${(error as Error).name}).`,
          'Run assign from the management account or a delegated administrator with organizations:ListAccountsForParent and organizations:ListOrganizationalUnitsForParent, or list the account IDs in the mapping instead.',
          { cause: error },
        );
      }
      throw error;
    }
    return found;
  }

  /** The accounts and OUs directly under one parent, each a paginated listing, read once. */
  private childrenOf(parent: string): Promise<{ accounts: Account[]; units: string[] }> {
    let pending = this.children.get(parent);
    if (pending === undefined) {
      pending = (async () => {
        const accounts: Account[] = [];
        for await (const page of paginateListAccountsForParent({ client: this.organizations }, { ParentId: parent })) {
          this.signal?.throwIfAborted();
          accounts.push(...(page.Accounts ?? []));
        }
        const units: string[] = [];
        for await (const page of paginateListOrganizationalUnitsForParent({ client: this.organizations }, { ParentId: parent })) {
          this.signal?.throwIfAborted();
          units.push(...(page.OrganizationalUnits ?? []).flatMap((ou) => (ou.Id ? [ou.Id] : [])));
        }
        return { accounts, units };
      })();
      this.children.set(parent, pending);
    }
    return pending;
  }
}
