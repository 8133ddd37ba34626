/** Counts AWS API calls per `Service.Operation`, for `--verbose`, the audit stats and the benchmarks. */
export class ApiCallCounter {
  private readonly counts = new Map<string, number>();

  record(service: string, operation: string): void {
    const key = `${service}.${operation}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  get total(): number {
    let sum = 0;
    for (const count of this.counts.values()) sum += count;
    return sum;
  }

  snapshot(): { total: number; byOperation: Record<string, number> } {
    const byOperation = Object.fromEntries([...this.counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
    return { total: this.total, byOperation };
  }
}
