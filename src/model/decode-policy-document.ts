import type { PolicyDocument } from './inventory.js';

/**
 * IAM returns policy documents URL-encoded (RFC 3986). Some emulators and older SDK paths hand
 * them back already decoded, so a document that parses as JSON as-is is taken as it is.
 */
export function decodePolicyDocument(raw: string | undefined): PolicyDocument | null {
  if (!raw) return null;
  for (const candidate of [raw, safeDecode(raw)]) {
    if (candidate === null) continue;
    try {
      const parsed = JSON.parse(candidate) as PolicyDocument;
      if (parsed && typeof parsed === 'object') return parsed;
    } catch {
      // try the next form
    }
  }
  return null;
}

function safeDecode(raw: string): string | null {
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}
