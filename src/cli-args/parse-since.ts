import ms from 'ms';
import { UserError } from '../errors.js';

/**
 * Reads a `--since` / `--until` value: a duration back from now (`90d`, `24h`, `30m`) or a date
 * (`2026-01-31`, `2026-01-31T08:00:00Z`). Anything else is a usage error before any AWS call.
 */
export function parseSince(value: string, now: Date, flag = '--since'): Date {
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?\s*[a-z]+$/i.test(trimmed)) {
    const duration = ms(trimmed as ms.StringValue);
    if (typeof duration === 'number' && Number.isFinite(duration) && duration > 0) return new Date(now.getTime() - duration);
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(trimmed)) {
    const date = new Date(trimmed);
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw new UserError(
    'INVALID_TIME',
    `${flag} ${value} is neither a duration nor a date.`,
    `Give a duration back from now, such as 90d, 24h or 30m, or a date such as 2026-01-31 or 2026-01-31T08:00:00Z.`,
  );
}
