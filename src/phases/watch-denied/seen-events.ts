/**
 * De-duplication by CloudTrail event ID. The same event can reach a reader twice: two trails that
 * deliver to one log group, Insights queries that overlap by a second, and --follow polls that
 * look back over the delivery delay. Memory stays bounded: IDs older than `horizonMs` before the
 * newest event seen are forgotten, since no read looks back further than that.
 */
export class SeenEvents {
  private readonly seen = new Map<string, number>();
  private newestMs = 0;
  private nextPruneAt: number;

  constructor(
    private readonly horizonMs: number,
    private readonly pruneEvery = 50_000,
  ) {
    this.nextPruneAt = pruneEvery;
  }

  /** True the first time an event ID is offered, false for a repeat within the horizon. */
  firstTime(eventId: string, timestampMs: number): boolean {
    if (this.seen.has(eventId)) return false;
    this.seen.set(eventId, timestampMs);
    this.newestMs = Math.max(this.newestMs, timestampMs);
    if (this.seen.size >= this.nextPruneAt) this.prune();
    return true;
  }

  get size(): number {
    return this.seen.size;
  }

  private prune(): void {
    const cutoff = this.newestMs - this.horizonMs;
    for (const [id, at] of this.seen) if (at < cutoff) this.seen.delete(id);
    // Grow the threshold when most IDs are recent, so a busy hour is not pruned on every event.
    this.nextPruneAt = Math.max(this.pruneEvery, this.seen.size * 2);
  }
}
