/**
 * Guesses whether an IAM user is a person (who moves to Identity Center) or a workload (which needs
 * a role instead), from credentials, tags and the user name.
 *
 * Every signal adds its weight to the side it points to:
 *
 * | code                     | side    | weight | when                                                        |
 * |--------------------------|---------|--------|-------------------------------------------------------------|
 * | `tag-iam2idc-kind`       | either  | 1000   | tag `iam2idc:kind` = `human` or `machine` (the operator's word) |
 * | `tag-kind`               | either  | 100    | tag `type`/`kind`/`usage`/… = service, machine, automation, person, human, … |
 * | `console-password`       | human   | 3      | console password enabled                                    |
 * | `key-only-access`        | machine | 3      | no console password, at least one active access key         |
 * | `mfa-active`             | human   | 2      | an MFA device is active                                     |
 * | `tag-email`              | human   | 2      | an `email`/`Email` tag holding an address                   |
 * | `name-person`            | human   | 2      | `first.last` or `first_last`, letters only                  |
 * | `name-email`             | human   | 2      | the user name is an e-mail address                          |
 * | `name-machine-token`     | machine | 2      | a name token such as `svc`, `ci`, `deploy`, `terraform`, `bot` |
 * | `password-used-recently` | human   | 1      | console password used in the last 90 days                   |
 * | `keys-used-recently`     | machine | 1      | no console password, an active key used in the last 90 days |
 *
 * Decision: the heavier side wins when it reaches at least 3 and more than twice the other side;
 * otherwise the user is `unknown`. So one strong signal decides alone, a name alone never does,
 * and a strong signal against a medium one (`jane.doe` with keys only) is left to the operator.
 * Tags outweigh everything; two decisive tags that disagree cancel out to `unknown`.
 *
 * Unreadable credential data (`console`, `mfa`, `accessKeys` null) contributes no signal, so such a
 * user is `unknown` unless tags, or a name backed by a tag, decide. Misclassifying a workload as a
 * person is the costly mistake (its keys would later be switched off), hence the cautious threshold.
 */
import type { Classification, ClassificationReason, UserRecord } from '../../model/inventory.js';

export type ClassifiableUser = Omit<UserRecord, 'classification' | 'isCaller'> & { isCaller?: boolean };

export interface ClassifyUserOptions {
  now: Date;
}

export type ClassificationReasonCode =
  | 'tag-iam2idc-kind'
  | 'tag-kind'
  | 'tag-email'
  | 'console-password'
  | 'key-only-access'
  | 'mfa-active'
  | 'name-person'
  | 'name-email'
  | 'name-machine-token'
  | 'password-used-recently'
  | 'keys-used-recently';

export const CLASSIFICATION_WEIGHTS: Readonly<Record<ClassificationReasonCode, number>> = {
  'tag-iam2idc-kind': 1000,
  'tag-kind': 100,
  'console-password': 3,
  'key-only-access': 3,
  'mfa-active': 2,
  'tag-email': 2,
  'name-person': 2,
  'name-email': 2,
  'name-machine-token': 2,
  'password-used-recently': 1,
  'keys-used-recently': 1,
};

/** Days within which a password or key use counts as recent. */
export const RECENT_USE_DAYS = 90;

const MIN_WINNING_WEIGHT = 3;
const DAY_MS = 86_400_000;

export const MACHINE_NAME_TOKENS: ReadonlySet<string> = new Set([
  'svc', 'service', 'bot', 'ci', 'cd', 'deploy', 'terraform', 'jenkins', 'github', 'gitlab', 'automation',
  'app', 'api', 'backup', 'monitor', 'sync', 'etl', 'lambda', 'system',
]);

const KIND_TAG_KEYS = new Set(['type', 'kind', 'usage', 'usertype', 'user-type', 'user_type', 'accounttype', 'account-type', 'account_type']);
const MACHINE_TAG_VALUES = new Set(['service', 'service-account', 'serviceaccount', 'machine', 'automation', 'automated', 'bot', 'system']);
const HUMAN_TAG_VALUES = new Set(['human', 'person', 'employee', 'contractor']);
const EMAIL_TAG_KEYS = new Set(['email', 'e-mail', 'email-address', 'email_address', 'emailaddress']);
const EMAIL_PATTERN = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

type Side = ClassificationReason['points'];
type Reason = ClassificationReason & { code: ClassificationReasonCode };

/**
 * Classifies a user as `human`, `machine` or `unknown`, with the reasons behind it, strongest
 * first. Pure: the clock comes from `options.now`. See the table at the top of this file.
 */
export function classifyUser(user: ClassifiableUser, options: ClassifyUserOptions): Classification {
  const reasons = [...tagReasons(user), ...credentialReasons(user, options.now), ...nameReasons(user.userName)];
  const weightOf = (side: Side): number =>
    reasons.filter((reason) => reason.points === side).reduce((sum, reason) => sum + CLASSIFICATION_WEIGHTS[reason.code], 0);
  const human = weightOf('human');
  const machine = weightOf('machine');
  const sorted = reasons
    .map((reason, index) => ({ reason, index }))
    .sort((a, b) => CLASSIFICATION_WEIGHTS[b.reason.code] - CLASSIFICATION_WEIGHTS[a.reason.code] || a.index - b.index)
    .map(({ reason }) => reason);
  return { kind: decide(human, machine), reasons: sorted };
}

function decide(human: number, machine: number): Classification['kind'] {
  if (human >= MIN_WINNING_WEIGHT && human > 2 * machine) return 'human';
  if (machine >= MIN_WINNING_WEIGHT && machine > 2 * human) return 'machine';
  return 'unknown';
}

function tagReasons(user: ClassifiableUser): Reason[] {
  const reasons: Reason[] = [];
  for (const { key, value } of user.tags) {
    const normalisedKey = key.trim().toLowerCase();
    const normalisedValue = value.trim().toLowerCase();
    if (normalisedKey === 'iam2idc:kind') {
      if (normalisedValue === 'human' || normalisedValue === 'machine') {
        reasons.push({ code: 'tag-iam2idc-kind', points: normalisedValue, detail: `tagged ${key}=${value}` });
      }
    } else if (KIND_TAG_KEYS.has(normalisedKey)) {
      const points = MACHINE_TAG_VALUES.has(normalisedValue) ? 'machine' : HUMAN_TAG_VALUES.has(normalisedValue) ? 'human' : null;
      if (points) reasons.push({ code: 'tag-kind', points, detail: `tagged ${key}=${value}` });
    } else if (EMAIL_TAG_KEYS.has(normalisedKey) && EMAIL_PATTERN.test(value.trim())) {
      reasons.push({ code: 'tag-email', points: 'human', detail: `has an e-mail tag (${key})` });
    }
  }
  return reasons;
}

function credentialReasons(user: ClassifiableUser, now: Date): Reason[] {
  const reasons: Reason[] = [];
  const { console: consoleAccess, mfa, accessKeys } = user;
  if (consoleAccess?.enabled === true) {
    reasons.push({ code: 'console-password', points: 'human', detail: 'console password enabled' });
  }
  if (mfa?.active === true) {
    reasons.push({ code: 'mfa-active', points: 'human', detail: 'MFA device active' });
  }
  if (consoleAccess && isRecent(consoleAccess.lastUsed, now)) {
    reasons.push({
      code: 'password-used-recently',
      points: 'human',
      detail: `console password used within ${RECENT_USE_DAYS} days (${consoleAccess.lastUsed})`,
    });
  }
  // Only a known absence of a password makes key use look automated; unreadable data proves nothing.
  const activeKeys = (accessKeys ?? []).filter((key) => key.active);
  if (consoleAccess?.enabled === false && activeKeys.length > 0) {
    reasons.push({
      code: 'key-only-access',
      points: 'machine',
      detail: `no console password, ${activeKeys.length} active access key(s)`,
    });
    const recent = activeKeys.filter((key) => isRecent(key.lastUsedDate, now));
    if (recent.length > 0) {
      reasons.push({
        code: 'keys-used-recently',
        points: 'machine',
        detail: `access key ${recent.map((key) => key.slot).join(', ')} used within ${RECENT_USE_DAYS} days without a console password`,
      });
    }
  }
  return reasons;
}

function nameReasons(userName: string): Reason[] {
  const at = userName.indexOf('@');
  const emailLike = EMAIL_PATTERN.test(userName);
  // In an e-mail-like name only the local part speaks: `jane@api.example.com` is a person.
  const tokens = tokenize(emailLike ? userName.slice(0, at) : userName);
  const machineToken = tokens.find((token) => MACHINE_NAME_TOKENS.has(token));
  if (machineToken !== undefined) {
    return [{ code: 'name-machine-token', points: 'machine', detail: `user name contains "${machineToken}"` }];
  }
  if (emailLike) return [{ code: 'name-email', points: 'human', detail: 'user name is an e-mail address' }];
  if (/^[a-z]+[._][a-z]+$/i.test(userName)) {
    return [{ code: 'name-person', points: 'human', detail: 'user name looks like first.last' }];
  }
  return [];
}

function tokenize(name: string): string[] {
  return name
    .toLowerCase()
    .split(/[-_.@+=,0-9]+/)
    .filter((token) => token.length > 0);
}

function isRecent(iso: string | null, now: Date): boolean {
  if (iso === null) return false;
  const time = Date.parse(iso);
  // A date in the future (clock skew) still counts as recent use.
  return !Number.isNaN(time) && now.getTime() - time <= RECENT_USE_DAYS * DAY_MS;
}
