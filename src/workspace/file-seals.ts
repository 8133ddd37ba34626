/**
 * Files that a later command acts on (a user's backup, which restore re-creates) are sealed: each
 * carries the account, the user's UserId and a digest of its content, and the journal records the
 * same digest before the file is written. A file is trusted only when all of that agrees, so an
 * edited backup, a forged one or a file copied from another workspace is refused instead of acted on.
 */
import { createHash } from 'node:crypto';
import stableStringify from 'safe-stable-stringify';
import { SafetyRefusal } from '../errors.js';

/** Records a file's digest in the journal (fsynced) before the file is written; the run holding the workspace does it. */
export interface FileSealer {
  seal(relativePath: string, sha256: string, subject: { accountId: string; userId: string }): Promise<void>;
}

/** The digest a sealed file carries: over its content without the digest, in a canonical form. */
export function contentDigest(content: object): string {
  const { digest: _digest, ...rest } = content as { digest?: unknown };
  return `sha256:${createHash('sha256').update(stableStringify(rest) ?? '').digest('hex')}`;
}

/** What a sealed file is checked against: the digests the journal recorded, and the workspace's account. */
export class FileTrust {
  private readonly digests = new Map<string, Set<string>>();

  constructor(
    readonly accountId: string,
    seals: Iterable<{ path: string; sha256: string }>,
  ) {
    for (const { path, sha256 } of seals) this.remember(path, sha256);
  }

  /** A digest the journal has just recorded, for the files this run writes and reads back. */
  remember(relativePath: string, sha256: string): void {
    const known = this.digests.get(relativePath) ?? new Set<string>();
    known.add(sha256);
    this.digests.set(relativePath, known);
  }

  /**
   * Throws (exit 3) unless the file is one this workspace wrote: its digest matches its content and a
   * digest the journal recorded for that path (any version of it: backups only grow), it belongs to the
   * workspace's account, and its content is about the user its name says (`ownPath`: where a file with
   * this content would be written).
   */
  check(file: { relativePath: string; absolutePath: string }, content: { digest: string; accountId: string }, ownPath: string): void {
    const refuse = (why: string) =>
      new SafetyRefusal(
        'WORKSPACE_FILE_UNTRUSTED',
        `${file.absolutePath} is not a file this workspace wrote: ${why}. Nothing was changed.`,
        'Put back the file iam2idc wrote (from your copy of the workspace), or move this one aside. If the journal was lost, review the file and apply it by hand with the AWS CLI.',
      );
    if (contentDigest(content) !== content.digest) throw refuse('its content does not match its digest (it was edited)');
    if (!(this.digests.get(file.relativePath)?.has(content.digest) ?? false)) throw refuse('the journal recorded no such file (it was forged, edited, or copied from another workspace)');
    if (content.accountId !== this.accountId) throw refuse(`it belongs to account ${content.accountId}, not ${this.accountId}`);
    if (ownPath !== file.relativePath) throw refuse(`its content is about another user (it would be ${ownPath})`);
  }
}
