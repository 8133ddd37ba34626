import {
  DISABLE_RECORD_VERSION,
  readDisableRecord,
  writeDisableRecord,
  type DisableEpisode,
  type DisableRecord,
  type RecordedDenyPolicy,
} from '../../workspace/disable-records.js';
import type { Workspace } from '../../workspace/workspace.js';

export type DisableChange =
  | { type: 'deny-policy'; policy: { kind: 'inline'; policyName: string } | { kind: 'managed'; policyArn: string } }
  | { type: 'access-key'; accessKeyId: string };

export interface RecordedUser {
  userName: string;
  userId: string;
}

/**
 * Keeps `backups/disable-<user>.json` in step with what disable does: an intent before each call, `done`
 * once AWS confirmed it, removed when AWS refused it (so it did not happen). Writes of one user are
 * serialised, since a user's keys are deactivated concurrently, and each is atomic on disk.
 */
export class DisableRecorder {
  private readonly chains = new Map<string, Promise<void>>();

  constructor(
    private readonly workspace: Workspace,
    private readonly now: () => Date,
  ) {}

  /** Before the call: from now on enable considers this change, and checks AWS to see whether it happened. */
  intend(user: RecordedUser, change: DisableChange): Promise<void> {
    return this.update(user.userName, (current) => {
      const record = this.episodeFor(current, user);
      const at = this.now().toISOString();
      if (change.type === 'deny-policy') record.denyPolicy = { ...change.policy, state: 'intent', at } as RecordedDenyPolicy;
      else if (!record.keys.some((k) => k.accessKeyId === change.accessKeyId)) record.keys.push({ accessKeyId: change.accessKeyId, previousStatus: 'Active', state: 'intent', at });
      return record;
    });
  }

  /** AWS confirmed the change. */
  confirm(user: RecordedUser, change: DisableChange): Promise<void> {
    return this.update(user.userName, (record) => {
      if (!record) return null;
      const at = this.now().toISOString();
      if (change.type === 'deny-policy' && record.denyPolicy) record.denyPolicy = { ...record.denyPolicy, state: 'done', at };
      if (change.type === 'access-key') record.keys = record.keys.map((k) => (k.accessKeyId === change.accessKeyId ? { ...k, state: 'done', at } : k));
      return record;
    });
  }

  /** AWS answered with an error: the change did not happen, and enable must not reverse it. */
  withdraw(user: RecordedUser, change: DisableChange): Promise<void> {
    return this.update(user.userName, (record) => {
      if (!record) return null;
      if (change.type === 'deny-policy' && record.denyPolicy?.state === 'intent' && samePolicy(record.denyPolicy, change.policy)) record.denyPolicy = null;
      if (change.type === 'access-key') record.keys = record.keys.filter((k) => !(k.accessKeyId === change.accessKeyId && k.state === 'intent'));
      return record;
    });
  }

  /** Every planned change of the user was applied (or found already applied). */
  complete(userName: string): Promise<void> {
    return this.update(userName, (record) => (record && record.completedAt === null ? { ...record, completedAt: this.now().toISOString() } : record));
  }

  /** enable reversed every recorded change. */
  reversed(userName: string): Promise<void> {
    return this.update(userName, (record) => (record && record.enabledAt === null ? { ...record, enabledAt: this.now().toISOString() } : record));
  }

  /** Waits for every pending write. */
  async flush(): Promise<void> {
    await Promise.all(this.chains.values());
  }

  private update(userName: string, change: (record: DisableRecord | null) => DisableRecord | null): Promise<void> {
    const previous = this.chains.get(userName) ?? Promise.resolve();
    const next = previous.then(async () => {
      const current = await readDisableRecord(this.workspace, userName);
      const updated = change(current === null ? null : structuredClone(current));
      if (updated !== null) await writeDisableRecord(this.workspace, updated);
    });
    // A failed write must fail its own caller, but not every later write of the user.
    this.chains.set(userName, next.catch(() => undefined));
    return next;
  }

  /** The open episode of the user, or a new one when the last was reversed or the user was re-created. */
  private episodeFor(current: DisableRecord | null, user: RecordedUser): DisableRecord {
    if (current !== null && current.enabledAt === null && current.userId === user.userId) return current;
    return {
      schemaVersion: DISABLE_RECORD_VERSION,
      userName: user.userName,
      userId: user.userId,
      startedAt: this.now().toISOString(),
      completedAt: null,
      enabledAt: null,
      denyPolicy: null,
      keys: [],
      history: current === null ? [] : [...current.history, episodeOf(current)],
    };
  }
}

function episodeOf(record: DisableRecord): DisableEpisode {
  const { schemaVersion: _version, history: _history, ...episode } = record;
  return episode;
}

function samePolicy(recorded: RecordedDenyPolicy, policy: Extract<DisableChange, { type: 'deny-policy' }>['policy']): boolean {
  return recorded.kind === 'inline' ? policy.kind === 'inline' && policy.policyName === recorded.policyName : policy.kind === 'managed' && policy.policyArn === recorded.policyArn;
}
