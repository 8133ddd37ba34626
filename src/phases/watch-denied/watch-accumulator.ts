/**
 * Folds watched CloudTrail events into the report as they stream by, so that a window of millions
 * of events needs memory for its groups only, never for the events themselves.
 */
import { describePrincipal, type Principal } from './attribute-principal.js';
import { classifyDenial, type DenialCause } from './classify-denial.js';
import type { ResolvedAction } from './resolve-event-action.js';
import { isDenied, type TrailEvent } from './trail-event.js';
import type { CountedValue, DeniedActionGroup, IamUserActivity, PermissionSetDenials, PrincipalDenials } from './watch-report.js';

const EXAMPLE_RESOURCES = 3;
const MAX_RESOURCES = 50;
const MAX_DISTINCT_VALUES = 50;
const TOP_VALUES = 5;
const MAX_USER_AGENT_LENGTH = 160;

/** A denial as it streams by, for --follow. */
export interface DenialLine {
  eventId: string;
  time: string;
  /** The permission set, or null for other principals. */
  permissionSet: string | null;
  principal: string;
  action: string;
  resource: string | null;
  region: string | null;
  accountId: string | null;
  cause: DenialCause;
}

interface GroupState extends Omit<DeniedActionGroup, 'users' | 'resources' | 'accounts' | 'regions' | 'errorCodes'> {
  users: Set<string>;
  resources: Set<string>;
  accounts: Set<string>;
  regions: Set<string>;
  errorCodes: Set<string>;
}

interface UserState {
  userName: string;
  userId: string | null;
  eventCount: number;
  deniedCount: number;
  firstSeen: string;
  lastSeen: string;
  lastEvent: IamUserActivity['lastEvent'];
  sourceIps: Map<string, number>;
  userAgents: Map<string, number>;
  accessKeys: Map<string, { lastSeen: string; count: number }>;
  consoleLastSeen: string | null;
}

export interface AccumulatorContext {
  /** The workspace's account: only its IAM users are listed (an organization trail holds every account). */
  accountId: string;
  /** Permission sets that mapping.yaml describes. */
  mappedPermissionSets: ReadonlySet<string>;
  /** IAM user name (lower case) → its kind in mapping.yaml. */
  userKinds: ReadonlyMap<string, 'human' | 'machine' | 'skip'>;
}

export class WatchAccumulator {
  private readonly bySet = new Map<string, Map<string, GroupState>>();
  private readonly byPrincipal = new Map<string, { type: Principal['type']; groups: Map<string, GroupState> }>();
  private readonly users = new Map<string, UserState>();
  private denied = 0;
  private iamUserEvents = 0;

  constructor(private readonly context: AccumulatorContext) {}

  /** Adds one event (already de-duplicated); returns the denial line when it was a denial. */
  add(event: TrailEvent, resolved: ResolvedAction): DenialLine | null {
    const { principal } = event;
    const denied = isDenied(event);
    if (principal.type === 'iam-user' && this.isOwnAccount(principal.accountId ?? event.recipientAccountId)) {
      this.addUserActivity(event, principal, resolved, denied);
    }
    if (!denied) return null;
    this.denied += 1;
    const cause = classifyDenial(event.errorMessage);
    const resource = cause.resource ?? event.resources[0] ?? null;
    const groups = this.groupsOf(principal);
    const key = `${resolved.action}\n${cause.deniedBy}\n${String(cause.explicit)}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = newGroup(event, resolved, cause);
      groups.set(key, group);
    }
    updateGroup(group, event, principal, resource);
    return {
      eventId: event.eventId,
      time: event.eventTime,
      permissionSet: principal.type === 'identity-center' ? principal.permissionSet : null,
      principal: principal.type === 'identity-center' ? principal.userName : describePrincipal(principal),
      action: resolved.action,
      resource,
      region: event.region,
      accountId: event.recipientAccountId,
      cause,
    };
  }

  get counts(): { denied: number; iamUserEvents: number } {
    return { denied: this.denied, iamUserEvents: this.iamUserEvents };
  }

  permissionSets(): PermissionSetDenials[] {
    return [...this.bySet].map(([permissionSet, groups]) => {
      const actions = finishGroups(groups);
      return { permissionSet, inMapping: this.context.mappedPermissionSets.has(permissionSet), total: sum(actions), actions };
    }).sort((a, b) => b.total - a.total || a.permissionSet.localeCompare(b.permissionSet));
  }

  otherPrincipals(): PrincipalDenials[] {
    return [...this.byPrincipal].map(([principal, { type, groups }]) => {
      const actions = finishGroups(groups);
      return { principal, type, total: sum(actions), actions };
    }).sort((a, b) => b.total - a.total || a.principal.localeCompare(b.principal));
  }

  iamUsers(): IamUserActivity[] {
    return [...this.users.values()]
      .map((u) => ({
        userName: u.userName,
        userId: u.userId,
        kind: this.context.userKinds.get(u.userName.toLowerCase()) ?? null,
        eventCount: u.eventCount,
        deniedCount: u.deniedCount,
        firstSeen: u.firstSeen,
        lastSeen: u.lastSeen,
        lastEvent: u.lastEvent,
        sourceIps: top(u.sourceIps),
        userAgents: top(u.userAgents),
        accessKeys: [...u.accessKeys].map(([accessKeyId, k]) => ({ accessKeyId, ...k })).sort((a, b) => b.lastSeen.localeCompare(a.lastSeen)),
        consoleLastSeen: u.consoleLastSeen,
      }))
      .sort((a, b) => b.lastSeen.localeCompare(a.lastSeen) || a.userName.localeCompare(b.userName));
  }

  private isOwnAccount(accountId: string | null): boolean {
    return accountId === null || accountId === this.context.accountId;
  }

  private groupsOf(principal: Principal): Map<string, GroupState> {
    if (principal.type === 'identity-center') {
      let groups = this.bySet.get(principal.permissionSet);
      if (!groups) this.bySet.set(principal.permissionSet, (groups = new Map()));
      return groups;
    }
    const name = describePrincipal(principal);
    let entry = this.byPrincipal.get(name);
    if (!entry) this.byPrincipal.set(name, (entry = { type: principal.type, groups: new Map() }));
    return entry.groups;
  }

  private addUserActivity(event: TrailEvent, principal: Extract<Principal, { type: 'iam-user' }>, resolved: ResolvedAction, denied: boolean): void {
    this.iamUserEvents += 1;
    const key = principal.userName.toLowerCase();
    let user = this.users.get(key);
    if (!user) {
      user = {
        userName: principal.userName,
        userId: principal.userId,
        eventCount: 0,
        deniedCount: 0,
        firstSeen: event.eventTime,
        lastSeen: event.eventTime,
        lastEvent: { time: event.eventTime, action: resolved.action, denied },
        sourceIps: new Map(),
        userAgents: new Map(),
        accessKeys: new Map(),
        consoleLastSeen: null,
      };
      this.users.set(key, user);
    }
    user.eventCount += 1;
    if (denied) user.deniedCount += 1;
    user.userId ??= principal.userId;
    if (event.eventTime < user.firstSeen) user.firstSeen = event.eventTime;
    if (event.eventTime >= user.lastSeen) {
      user.lastSeen = event.eventTime;
      user.lastEvent = { time: event.eventTime, action: resolved.action, denied };
    }
    countValue(user.sourceIps, event.sourceIp);
    countValue(user.userAgents, event.userAgent?.slice(0, MAX_USER_AGENT_LENGTH) ?? null);
    if (principal.credential === 'console' && (user.consoleLastSeen === null || event.eventTime > user.consoleLastSeen)) {
      user.consoleLastSeen = event.eventTime;
    }
    if (principal.accessKeyId !== null && principal.credential !== 'console') {
      const key = user.accessKeys.get(principal.accessKeyId);
      if (key === undefined) {
        if (user.accessKeys.size < MAX_DISTINCT_VALUES) user.accessKeys.set(principal.accessKeyId, { lastSeen: event.eventTime, count: 1 });
      } else {
        key.count += 1;
        if (event.eventTime > key.lastSeen) key.lastSeen = event.eventTime;
      }
    }
  }
}

function newGroup(event: TrailEvent, resolved: ResolvedAction, cause: DenialCause): GroupState {
  return {
    action: resolved.action,
    actionKnown: resolved.known,
    deniedBy: cause.deniedBy,
    explicit: cause.explicit,
    fixable: cause.fixableByPermissionSet,
    count: 0,
    users: new Set(),
    firstSeen: event.eventTime,
    lastSeen: event.eventTime,
    exampleResources: [],
    resources: new Set(),
    withoutResource: 0,
    accounts: new Set(),
    regions: new Set(),
    errorCodes: new Set(),
    sampleMessage: event.errorMessage,
  };
}

function updateGroup(group: GroupState, event: TrailEvent, principal: Principal, resource: string | null): void {
  group.count += 1;
  if (group.users.size < MAX_DISTINCT_VALUES) group.users.add(principal.type === 'identity-center' ? principal.userName : describePrincipal(principal));
  if (event.eventTime < group.firstSeen) group.firstSeen = event.eventTime;
  if (event.eventTime > group.lastSeen) group.lastSeen = event.eventTime;
  if (resource === null) group.withoutResource += 1;
  else if (group.resources.size < MAX_RESOURCES) group.resources.add(resource);
  if (resource !== null && group.exampleResources.length < EXAMPLE_RESOURCES && !group.exampleResources.includes(resource)) group.exampleResources.push(resource);
  if (event.recipientAccountId) group.accounts.add(event.recipientAccountId);
  if (event.region) group.regions.add(event.region);
  if (event.errorCode) group.errorCodes.add(event.errorCode);
  group.sampleMessage ??= event.errorMessage;
}

function finishGroups(groups: Map<string, GroupState>): DeniedActionGroup[] {
  return [...groups.values()]
    .map((g) => ({
      ...g,
      users: [...g.users].sort(),
      resources: [...g.resources].sort(),
      accounts: [...g.accounts].sort(),
      regions: [...g.regions].sort(),
      errorCodes: [...g.errorCodes].sort(),
    }))
    .sort((a, b) => b.count - a.count || a.action.localeCompare(b.action));
}

function countValue(counts: Map<string, number>, value: string | null): void {
  if (value === null) return;
  const current = counts.get(value);
  if (current !== undefined) counts.set(value, current + 1);
  else if (counts.size < MAX_DISTINCT_VALUES) counts.set(value, 1);
}

function top(counts: Map<string, number>): CountedValue[] {
  return [...counts]
    .map(([value, count]) => ({ value, count }))
    .sort((a, b) => b.count - a.count || a.value.localeCompare(b.value))
    .slice(0, TOP_VALUES);
}

function sum(groups: DeniedActionGroup[]): number {
  return groups.reduce((total, g) => total + g.count, 0);
}
