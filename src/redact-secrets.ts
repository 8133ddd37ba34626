/** Secret-looking values are removed before anything is logged or written to the journal. */

// Pagination tokens (NextToken, Marker) are not secrets and help when reading a --debug log.
const SECRET_KEY = /secret|password|(session|access|refresh|id|security)_?token|^token$|private|credential|^content$/i;

/** Replaces every value whose key looks secret, at any depth, so a request log never leaks one. */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value instanceof Uint8Array) return `<${value.byteLength} bytes>`;
  if (value instanceof Date) return value.toISOString();
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [key, SECRET_KEY.test(key) ? '<redacted>' : redactSecrets(inner)]),
    );
  }
  return value;
}
