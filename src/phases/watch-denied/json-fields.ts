/** Reading fields of parsed JSON whose shape is not guaranteed (log lines, CloudTrail records). */

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A non-empty string, or null for anything else. */
export function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
