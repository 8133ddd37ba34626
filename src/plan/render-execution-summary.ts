import type { TextFormat } from '../io/io-host.js';
import { seconds, type ExecutionSummary } from './execute-plan.js';

/** After a run: what was done, skipped, refused or failed, and why. */
export function renderExecutionSummary(summary: ExecutionSummary, f: TextFormat): string {
  if (summary.dryRun) return f.bold(`Dry run: ${summary.plan.actions.length} change(s) planned, nothing applied.`);
  if (summary.actions.length === 0) return f.green('Nothing to do.');
  const { counts } = summary;
  const lines = [
    f.bold(
      `${counts.done} done, ${counts.skipped} skipped, ${counts.failed} failed` +
        (counts.refused ? `, ${counts.refused} refused` : '') +
        (counts['not-run'] ? `, ${counts['not-run']} not run` : '') +
        (counts.unknown ? `, ${counts.unknown} interrupted in flight` : '') +
        ` in ${seconds(summary.durationMs)}`,
    ),
  ];
  const notable = summary.actions.filter((a) => a.status !== 'done');
  if (notable.length > 0) {
    lines.push(f.table(['status', 'target', 'change', 'why'], notable.map((a) => [paint(a.status, f), a.target, a.preview, a.reason ?? ''])));
  }
  if (summary.interrupted) lines.push(f.yellow('Interrupted: run the same command again to finish; the journal records what was done.'));
  else if (summary.stopped) lines.push(f.yellow(`${summary.stopped.message} Then run \`iam2idc ${summary.plan.command}\` again: it resumes where this run stopped.`));
  else if (counts.failed || counts.unknown) lines.push(f.yellow('Fix what failed and run the command again: what is done is not repeated.'));
  if (summary.runId) lines.push(f.dim(`journal.jsonl, run ${summary.runId}`));
  return lines.join('\n');
}

function paint(status: string, f: TextFormat): string {
  if (status === 'failed' || status === 'refused') return f.red(status);
  if (status === 'not-run' || status === 'unknown') return f.yellow(status);
  return status;
}
