/**
 * Ctrl-C in two steps while a plan is applied: the first stops new calls and lets the ones in flight
 * finish and be journaled; the second aborts them. When nothing is being applied, an interrupt ends
 * the run at once (the caller exits 130).
 */
export class InterruptController {
  private readonly hard = new AbortController();
  private soft = false;
  private armedBy = 0;
  private readonly softListeners = new Set<() => void>();
  private readonly exitCleanups = new Set<() => Promise<unknown>>();

  /** True after the first Ctrl-C: no new call may start. */
  get stopRequested(): boolean {
    return this.soft;
  }

  /** Aborted on the second Ctrl-C: calls in flight are cancelled. */
  get abortSignal(): AbortSignal {
    return this.hard.signal;
  }

  /** Marks a stretch of work that handles interrupts itself; returns the function that ends it. */
  arm(): () => void {
    this.armedBy += 1;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.armedBy -= 1;
    };
  }

  onStopRequested(listener: () => void): () => void {
    this.softListeners.add(listener);
    return () => this.softListeners.delete(listener);
  }

  /**
   * Work to finish before an interrupt ends the run outside an apply (the workspace lock a run holds
   * from its first read): the process exits only once these have settled.
   */
  onExit(cleanup: () => Promise<unknown>): () => void {
    this.exitCleanups.add(cleanup);
    return () => this.exitCleanups.delete(cleanup);
  }

  /** Runs the exit cleanups (each at most once per call, failures ignored: the run is ending). */
  async runExitCleanups(): Promise<void> {
    await Promise.allSettled([...this.exitCleanups].map((cleanup) => cleanup()));
  }

  /** Called for each SIGINT. */
  interrupt(): 'unarmed' | 'soft' | 'hard' {
    if (this.armedBy === 0) return 'unarmed';
    if (!this.soft) {
      this.soft = true;
      for (const listener of this.softListeners) listener();
      return 'soft';
    }
    this.hard.abort(new Error('Interrupted twice'));
    return 'hard';
  }
}
