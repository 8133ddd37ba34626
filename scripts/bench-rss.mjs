// Preloaded with `node --import ./scripts/bench-rss.mjs ...`: records the process's peak resident
// set size when it exits, so the benchmark can compare approaches run as separate processes.
import { writeFileSync } from 'node:fs';

const target = process.env.BENCH_RSS_FILE;
if (target) {
  process.on('exit', () => {
    // resourceUsage().maxRSS is in kilobytes.
    writeFileSync(target, String(process.resourceUsage().maxRSS));
  });
}
