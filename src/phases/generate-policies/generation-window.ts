/** The CloudTrail window a policy generation analyses, within Access Analyzer's limit. */
import { UserError } from '../../errors.js';
import { POLICY_GENERATION_LIMITS } from './policy-generation-handler.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface ResolvedWindow {
  startTime: string;
  endTime: string;
  /** True when `--since` reached further back than Access Analyzer allows and was moved forward. */
  clipped: boolean;
  requestedStart: string;
}

/**
 * From `since` (default 90 days back) to now, never longer than the 90 days Access Analyzer accepts.
 * @throws UserError `INVALID_SINCE` when `since` is not in the past.
 */
export function resolveGenerationWindow(now: Date, since?: Date): ResolvedWindow {
  const earliest = new Date(now.getTime() - POLICY_GENERATION_LIMITS.maxWindowDays * DAY_MS);
  const requested = since ?? earliest;
  if (Number.isNaN(requested.getTime()) || requested.getTime() >= now.getTime()) {
    const shown = Number.isNaN(requested.getTime()) ? 'an invalid date' : requested.toISOString();
    throw new UserError('INVALID_SINCE', `--since is ${shown}, not a time in the past.`, 'Give a start in the past, at most 90 days back, such as --since 30d.');
  }
  const clipped = requested.getTime() < earliest.getTime();
  const start = clipped ? earliest : requested;
  return { startTime: start.toISOString(), endTime: now.toISOString(), clipped, requestedStart: requested.toISOString() };
}
