import { say, type IoHost } from '../io/io-host.js';
import type { Workspace } from '../workspace/workspace.js';
import type { Journal } from './journal.js';
import { readJournalFold } from './journal-index.js';
import type { ActionRegistry } from './plan-types.js';

/**
 * An intent with no outcome means a run stopped during that call: it may or may not have happened.
 * Re-read AWS for each and record what is true, so that the journal is whole again before new work.
 */
export async function settleOpenIntents<C>(options: { workspace: Workspace; journal: Journal; registry: ActionRegistry<C>; io: IoHost; runId: string; now: () => Date }): Promise<void> {
  const open = (await readJournalFold(options.workspace)).openIntents;
  for (const intent of open) {
    const handler = options.registry.get(intent.kind);
    // The parameters are read back from disk: only those of the kind's own shape are acted on.
    const parsed = handler?.params ? handler.params.safeParse(intent.params) : { success: intent.params !== undefined, data: intent.params };
    if (!handler || !parsed.success) {
      say.warn(options.io, 'JOURNAL_OPEN_INTENT', `A previous run stopped during ${intent.kind} on ${intent.target}; this command cannot check it. Check it by hand.`);
      continue;
    }
    const done = await handler.isDone(parsed.data, options.registry.context, new AbortController().signal);
    await options.journal.append({
      type: 'outcome',
      at: options.now().toISOString(),
      runId: options.runId,
      actionId: intent.actionId,
      kind: intent.kind,
      target: intent.target,
      status: 'settled',
      requestId: null,
      happened: done,
      detail: done ? 'it had happened' : 'it had not happened',
    });
    say.info(options.io, 'JOURNAL_SETTLED', `A previous run stopped during "${intent.target}" (${intent.kind}): ${done ? 'it had happened' : 'it had not, and is planned again'}.`);
  }
}
