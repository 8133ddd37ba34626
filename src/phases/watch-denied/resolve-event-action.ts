import { canonicalAction } from '../../model/iam-actions/action-catalog.js';
import { eventToAction } from '../../model/iam-actions/event-to-action.js';
import type { TrailEvent } from './trail-event.js';

export interface ResolvedAction {
  /** `s3:GetObject`; when nothing in the action database matches, the best guess `<host>:<EventName>`. */
  action: string;
  /** Whether the action exists in the IAM action database (only known actions are ever suggested). */
  known: boolean;
}

/**
 * The IAM action a call needed. The denial message names it exactly when AWS wrote one ("is not
 * authorized to perform: s3:ListBucket"), so it wins; otherwise the event source and name are
 * translated, with the known renames (event-to-action.ts). Lookups are cached per run, since a
 * window holds the same few hundred operations many times over.
 */
export class EventActionResolver {
  private readonly byEvent = new Map<string, Promise<string | null>>();
  private readonly byMessage = new Map<string, Promise<string | null>>();

  async resolve(event: Pick<TrailEvent, 'eventSource' | 'eventName'>, actionInMessage: string | null): Promise<ResolvedAction> {
    if (actionInMessage !== null) {
      const known = await this.cached(this.byMessage, actionInMessage, () => canonicalAction(actionInMessage));
      if (known !== null) return { action: known, known: true };
    }
    const key = `${event.eventSource}\n${event.eventName}`;
    const mapped = await this.cached(this.byEvent, key, () => eventToAction(event.eventSource, event.eventName));
    if (mapped !== null) return { action: mapped, known: true };
    if (actionInMessage !== null) return { action: actionInMessage, known: false };
    const host = event.eventSource.replace(/\.amazonaws\.com(?:\.cn)?$/, '');
    return { action: `${host}:${event.eventName}`, known: false };
  }

  private cached(cache: Map<string, Promise<string | null>>, key: string, load: () => Promise<string | null>): Promise<string | null> {
    let value = cache.get(key);
    if (value === undefined) {
      value = load();
      cache.set(key, value);
    }
    return value;
  }
}
