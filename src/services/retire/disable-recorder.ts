import { Fault } from '../../errors.js';
import {
  DISABLE_RECORD_VERSION,
  readDisableRecord,
  writeDisableRecord,
  type DisableEpisode,
  type DisableRecordContent,
  type RecordedDenyPolicy,
} from '../../workspace/disable-records.js';
import type { FileSealer, FileTrust } from '../../workspace/file-seals.js';
import type { Workspace } from '../../workspace/workspace.js';

export type DisableChange =
  | { type: 'deny-policy'; policy: { kind: 'inline'; policyName: string } | { kind: 'managed'; policyArn: string } }
  | { type: 'access-key'; accessKeyId: string };

export interface RecordedUser {
  userName: string;
  userId: string;
}

export interface DisableRecorderOptions {
  workspace: Workspace;
  now: () => Date;
  accountId: string;
  /** What a record already on disk is checked against before it is built on. */
  trust: FileTrust;
  /** The run holding the workspace, which records each record's digest; null on a dry-run, which writes none. */
  sealer: FileSealer | null;
}

/**
 * Keeps `backups/disable-<user>.json` in step with what disable does: an intent before each call, `done`
 * once AWS confirmed it, removed when AWS refused it (so it did not happen). Writes of one user are
 * serialised, since a user's keys are deactivated concurrently, and each is atomic on disk and sealed.
 */
export class DisableRecorder {
  private readonly chains = new Map<string, Promise<void>>();

  constructor(private readonly options: DisableRecorderOptions) {}

  private now(): Date {
    return this.options.now();
  }

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

  /** The executor read AWS after a deny-policy call with no clear answer: the open intent is done, or withdrawn. */
  settleDenyPolicy(user: RecordedUser, happened: boolean): Promise<void> {
    return this.update(user.userName, (record) => {
      if (!record || record.denyPolicy?.state !== 'intent') return record;
      record.denyPolicy = happened ? { ...record.denyPolicy, state: 'done', at: this.now().toISOString() } : null;
      return record;
    });
  }

  /** The same, for a key deactivation. */
  settleKey(user: RecordedUser, accessKeyId: string, happened: boolean): Promise<void> {
    return happened ? this.confirm(user, { type: 'access-key', accessKeyId }) : this.withdraw(user, { type: 'access-key', accessKeyId });
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

  private update(userName: string, change: (record: DisableRecordContent | null) => DisableRecordContent | null): Promise<void> {
    const previous = this.chains.get(userName) ?? Promise.resolve();
    const next = previous.then(async () => {
      const { workspace, trust, sealer } = this.options;
      const current = await readDisableRecord(workspace, userName, trust);
      const updated = change(current === null ? null : withoutDigest(structuredClone(current)));
      if (updated === null) return;
      if (sealer === null) throw new Fault('DISABLE_RECORD_UNSEALED', `A disable record of ${userName} was to be written without a run holding the workspace.`, 'This is a bug in iam2idc: please report it.');
      await writeDisableRecord(workspace, updated, sealer);
    });
    // A failed write must fail its own caller, but not every later write of the user.
    this.chains.set(userName, next.catch(() => undefined));
    return next;
  }

  /** The open episode of the user, or a new one when the last was reversed or the user was re-created. */
  private episodeFor(current: DisableRecordContent | null, user: RecordedUser): DisableRecordContent {
    if (current !== null && current.enabledAt === null && current.userId === user.userId) return current;
    return {
      schemaVersion: DISABLE_RECORD_VERSION,
      accountId: this.options.accountId,
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

function episodeOf(record: DisableRecordContent): DisableEpisode {
  const { schemaVersion: _version, history: _history, accountId: _account, ...episode } = record;
  return episode;
}

function withoutDigest(record: DisableRecordContent & { digest?: string }): DisableRecordContent {
  const { digest: _digest, ...content } = record;
  return content;
}

function samePolicy(recorded: RecordedDenyPolicy, policy: Extract<DisableChange, { type: 'deny-policy' }>['policy']): boolean {
  return recorded.kind === 'inline' ? policy.kind === 'inline' && policy.policyName === recorded.policyName : policy.kind === 'managed' && policy.policyArn === recorded.policyArn;
}
