/** The result of watching a window of CloudTrail events: what was denied, and which IAM users are still in use. */
import type { Principal } from './attribute-principal.js';
import type { DeniedBy } from './classify-denial.js';
import type { QueryEngine, ReadStats } from './read-trail-events.js';

export interface CountedValue {
  value: string;
  count: number;
}

/** One action denied to one permission set (or principal), for one reason. */
export interface DeniedActionGroup {
  action: string;
  /** Whether the action exists in the IAM action database. */
  actionKnown: boolean;
  deniedBy: DeniedBy;
  explicit: boolean | null;
  /** Adding an Allow to the permission set would let the call through. */
  fixable: boolean;
  count: number;
  /** Who was denied: Identity Center user names, or the principal. */
  users: string[];
  firstSeen: string;
  lastSeen: string;
  /** Up to a few resources, for the tables. */
  exampleResources: string[];
  /** Every distinct resource seen (bounded), for scoping suggestions. */
  resources: string[];
  /** At least one denial named no resource, so the action cannot be scoped to the ones seen. */
  withoutResource: number;
  accounts: string[];
  regions: string[];
  errorCodes: string[];
  /** One error message as AWS wrote it, for the report. */
  sampleMessage: string | null;
}

export interface PermissionSetDenials {
  permissionSet: string;
  /** Whether mapping.yaml describes this set (only those get suggestions). */
  inMapping: boolean;
  total: number;
  actions: DeniedActionGroup[];
}

export interface PrincipalDenials {
  principal: string;
  type: Principal['type'];
  total: number;
  actions: DeniedActionGroup[];
}

/** An IAM user seen in the window: not ready to be disabled. */
export interface IamUserActivity {
  userName: string;
  userId: string | null;
  /** The user's kind in mapping.yaml, or null when the mapping does not list it. */
  kind: 'human' | 'machine' | 'skip' | null;
  eventCount: number;
  deniedCount: number;
  firstSeen: string;
  lastSeen: string;
  /** The newest call: time and IAM action. */
  lastEvent: { time: string; action: string; denied: boolean };
  sourceIps: CountedValue[];
  userAgents: CountedValue[];
  /** Per access key ID (never a secret): last use and calls. */
  accessKeys: { accessKeyId: string; lastSeen: string; count: number }[];
  /** The newest console sign-in or console call. */
  consoleLastSeen: string | null;
}

export interface WatchReport {
  generatedAt: string;
  accountId: string;
  logGroup: { name: string; region: string; reason: string };
  engine: QueryEngine;
  window: { since: string; until: string };
  follow: boolean;
  /** Ctrl-C stopped a read midway: its events are in the report, but `window.until` ends before it. */
  cutShort: boolean;
  /** A dry-run that would have needed Logs Insights: the window was not read, and the report is empty. */
  readSkipped: boolean;
  stats: ReadStats & { duplicates: number };
  totals: { denied: number; fixable: number; iamUserEvents: number };
  permissionSets: PermissionSetDenials[];
  otherPrincipals: PrincipalDenials[];
  iamUsers: IamUserActivity[];
}
