import { UserError } from '../errors.js';

const IAM_USER_NAME = /^[\w+=,.@-]{1,64}$/;

/**
 * Reads a comma-separated list of IAM user names (`--users a,b`). An empty entry or an invalid name
 * is a usage error before any AWS call: IAM applies key operations to the caller when a user name
 * is missing, so no empty name may ever travel further.
 */
export function parseUserList(value: string, flag: string): string[] {
  const names = value.split(',').map((n) => n.trim());
  const bad = names.filter((n) => !IAM_USER_NAME.test(n));
  if (names.length === 0 || bad.length > 0) {
    throw new UserError(
      'INVALID_USER_NAME',
      `${flag} ${JSON.stringify(value)} has ${bad.length > 0 ? `an empty or invalid user name (${bad.map((b) => JSON.stringify(b)).join(', ')})` : 'no user name'}.`,
      `Give IAM user names separated by commas, e.g. ${flag} alice,bob (letters, digits and + = , . @ _ -, at most 64 characters).`,
    );
  }
  return [...new Set(names)];
}
