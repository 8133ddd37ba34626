/**
 * How big a policy is, measured the way IAM and IAM Identity Center apply their size quotas.
 *
 * AWS counts the characters of the policy text and does not count white space ("IAM doesn't count
 * white space when calculating the size of a policy against these limits",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html; the permission-set
 * inline policy quota of 10,240 characters is stated the same way). The documentation does not say
 * whether white space inside string values is skipped too, nor how characters outside ASCII count,
 * so the measure here is deliberately pessimistic: a policy it accepts is never rejected.
 *
 * - White space between JSON tokens is not counted: a pretty-printed file adds only that kind.
 * - Everything inside a string counts, white space included, with escapes at their escaped
 *   length (`\"` is two characters).
 * - A character above U+00FF counts as its `\uXXXX` escape, six characters per UTF-16 unit:
 *   `PutInlinePolicyToPermissionSet` accepts only U+0009, U+000A, U+000D and U+0020–U+00FF
 *   (https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_PutInlinePolicyToPermissionSet.html),
 *   so such a character can only reach AWS escaped.
 */
import type { PolicyDocument, PolicyStatement } from './inventory.js';

const ESCAPED_CHAR_LENGTH = 6;
const LAST_LATIN1 = 0xff;

/** The most characters a customer-managed IAM policy may hold (non-white-space). */
export const IAM_MANAGED_POLICY_CHARS = 6_144;

/** The size of `{"Version":"2012-10-17","Statement":[]}`: what a document costs before its statements. */
export const EMPTY_POLICY_DOCUMENT_CHARS = countJsonValueChars({ Version: '2012-10-17', Statement: [] });

/**
 * The size of a policy as IAM Identity Center and IAM count it (see the top of this file).
 * A string is taken as the policy's JSON text, exactly as it would be sent.
 */
export function countPolicyChars(policy: PolicyDocument | PolicyStatement | string): number {
  return typeof policy === 'string' ? countJsonTextChars(policy) : countJsonValueChars(policy);
}

/**
 * The size of any JSON value (a statement, an action string, a list) once serialised, with the
 * same rules as `countPolicyChars`. Sizes add up: a list of n items costs its items plus n − 1
 * commas plus the brackets, which is what packing relies on.
 */
export function countJsonValueChars(value: unknown): number {
  const text = JSON.stringify(value);
  // JSON.stringify puts no white space between tokens, so only the characters above Latin-1 need adjusting.
  return text === undefined ? 0 : countJsonTextChars(text);
}

function countJsonTextChars(text: string): number {
  let count = 0;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i] ?? '';
    const code = text.charCodeAt(i);
    if (inString) {
      count += code > LAST_LATIN1 ? ESCAPED_CHAR_LENGTH : 1;
      if (escaped) escaped = false;
      else if (char === '\\') escaped = true;
      else if (char === '"') inString = false;
      continue;
    }
    if (isJsonWhiteSpace(char)) continue;
    count += code > LAST_LATIN1 ? ESCAPED_CHAR_LENGTH : 1;
    if (char === '"') inString = true;
  }
  return count;
}

function isJsonWhiteSpace(char: string): boolean {
  return char === ' ' || char === '\t' || char === '\n' || char === '\r';
}
