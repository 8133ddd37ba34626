import { UserError } from '../../../errors.js';
import { emailSchema, type Mapping } from '../../../workspace/mapping-schema.js';
import type { Tag, UserRecord } from '../../../model/inventory.js';
import { MAPPING_FILE } from '../../../workspace/mapping-file.js';


/** Identity Store limits (CreateUser / CreateGroup API reference). */
export const IDENTITY_LIMITS = {
  userNameMaxLength: 128,
  nameMaxLength: 1024,
  emailMaxLength: 1024,
  groupDisplayNameMaxLength: 1024,
} as const;

/** The fields an Identity Center user needs besides its user name. */
export type UserField = 'email' | 'displayName' | 'givenName' | 'familyName';

/**
 * Where a value came from: the mapping, an IAM tag, `--email-template`, the user name
 * (`jane.doe` → Jane / Doe), or composed from the given and family names (display name).
 */
export type FieldOrigin = 'mapping' | 'tag' | 'template' | 'derived' | 'composed';

/** An Identity Center user the mapping asks for. A null field could not be found anywhere. */
export interface DesiredUser {
  /** The IAM user it replaces (the key in `users:`). */
  iamUserName: string;
  userName: string;
  displayName: string | null;
  givenName: string | null;
  familyName: string | null;
  email: string | null;
  origins: Partial<Record<UserField, FieldOrigin>>;
}

export interface DesiredGroup {
  displayName: string;
  description: string | null;
  /** Identity Center user names of its human members. */
  members: string[];
}

/** A field no source gives; interactive runs ask for it, others stop (exit 2). */
export interface MissingField {
  /** The IAM user name. */
  user: string;
  field: UserField;
}

export interface DesiredIdentities {
  users: DesiredUser[];
  groups: DesiredGroup[];
  missing: MissingField[];
}

export interface IdentityProblem {
  file: string;
  /** e.g. `users.jane.email`. */
  field: string;
  message: string;
}

export type IdentityProblemCode = 'IDENTITY_INPUT_INVALID' | 'IDENTITY_FIELDS_MISSING';

/** Bad or missing identity input, raised before any AWS call (exit 2). */
export class IdentityInputError extends UserError {
  constructor(
    code: IdentityProblemCode,
    readonly problems: IdentityProblem[],
  ) {
    super(
      code,
      `The Identity Center users and groups cannot be created as described:\n${problems.map((p) => `  - ${p.file}: ${p.field}: ${p.message}`).join('\n')}`,
      code === 'IDENTITY_FIELDS_MISSING'
        ? `Set the fields in ${MAPPING_FILE} (or as IAM tags email, GivenName, FamilyName), pass --email-template '{user}@your.domain', or run interactively to be asked.`
        : `Correct the fields in ${MAPPING_FILE}, then run the command again.`,
    );
  }
}

export interface DesiredIdentityOptions {
  /** `--email-template`, e.g. `{user}@corp.example`; `{user}` is the IAM user name. */
  emailTemplate?: string;
}

const TAG_KEYS: Record<'email' | 'givenName' | 'familyName', string[]> = {
  email: ['email'],
  givenName: ['givenname', 'firstname'],
  familyName: ['familyname', 'lastname'],
};

/**
 * The users and groups the mapping asks for, each field taken from the first source that gives it:
 * the mapping, then IAM tags, then the email template (email only), then the user name (names
 * only). Pure. Throws `IdentityInputError` for values AWS would refuse, emails that clash, and one
 * Identity Center user name given twice; fields found nowhere are listed in `missing`.
 */
export function readDesiredIdentities(mapping: Mapping, auditUsers: readonly Pick<UserRecord, 'userName' | 'tags'>[], options: DesiredIdentityOptions = {}): DesiredIdentities {
  const template = options.emailTemplate;
  if (template !== undefined && !template.includes('{user}')) {
    throw new UserError('EMAIL_TEMPLATE_INVALID', `--email-template ${template} has no {user} placeholder.`, "Pass a template such as '{user}@corp.example'.");
  }
  const tagsByUser = new Map(auditUsers.map((u) => [u.userName.toLowerCase(), u.tags]));
  const problems: IdentityProblem[] = [];
  const problem = (field: string, message: string) => problems.push({ file: MAPPING_FILE, field, message });

  const users: DesiredUser[] = [];
  for (const [iamUserName, entry] of Object.entries(mapping.users)) {
    if (entry.kind !== 'human') continue;
    const userName = entry.userName ?? iamUserName;
    const tags = tagsByUser.get(iamUserName.toLowerCase()) ?? [];
    const origins: DesiredUser['origins'] = {};
    const pick = (field: UserField, ...candidates: [string | undefined | null, FieldOrigin][]): string | null => {
      for (const [value, origin] of candidates) {
        if (value === undefined || value === null || value.trim() === '') continue;
        origins[field] = origin;
        return value.trim();
      }
      return null;
    };
    const derived = deriveNames(userName);
    const email = pick('email', [entry.email, 'mapping'], [tagValue(tags, TAG_KEYS.email), 'tag'], [template?.replaceAll('{user}', iamUserName), 'template']);
    const givenName = pick('givenName', [entry.givenName, 'mapping'], [tagValue(tags, TAG_KEYS.givenName), 'tag'], [derived?.givenName, 'derived']);
    const familyName = pick('familyName', [entry.familyName, 'mapping'], [tagValue(tags, TAG_KEYS.familyName), 'tag'], [derived?.familyName, 'derived']);
    const composed = givenName !== null && familyName !== null ? `${givenName} ${familyName}` : null;
    const namesDerived = origins.givenName === 'derived' || origins.familyName === 'derived';
    const displayName = pick('displayName', [entry.displayName, 'mapping'], [composed, namesDerived ? 'derived' : 'composed']);
    users.push({ iamUserName, userName, displayName, givenName, familyName, email, origins });
  }

  checkUsers(users, problem);
  const groups = readDesiredGroups(mapping, users, problem);
  if (problems.length > 0) throw new IdentityInputError('IDENTITY_INPUT_INVALID', problems);

  const fields: UserField[] = ['email', 'displayName', 'givenName', 'familyName'];
  const missing = users.flatMap((u) => fields.filter((f) => u[f] === null).map((field) => ({ user: u.iamUserName, field })));
  return { users, groups, missing };
}

/** Fills in answers to missing fields (from a prompt) and checks the result again. Pure. */
export function completeDesiredUsers(desired: DesiredIdentities, answers: Record<string, Partial<Record<UserField, string>>>): DesiredIdentities {
  const problems: IdentityProblem[] = [];
  const users = desired.users.map((user) => {
    const given = answers[user.iamUserName] ?? {};
    const next: DesiredUser = { ...user, origins: { ...user.origins } };
    for (const field of ['email', 'displayName', 'givenName', 'familyName'] as const) {
      const value = given[field]?.trim();
      if (next[field] !== null || value === undefined || value === '') continue;
      next[field] = value;
      next.origins[field] = 'mapping';
    }
    return next;
  });
  checkUsers(users, (field, message) => problems.push({ file: MAPPING_FILE, field, message }));
  if (problems.length > 0) throw new IdentityInputError('IDENTITY_INPUT_INVALID', problems);
  const missing = desired.missing.filter((m) => users.find((u) => u.iamUserName === m.user)?.[m.field] === null);
  return { ...desired, users, missing };
}

/** For runs that cannot ask: the missing fields as an error (exit 2), naming file and field. */
export function missingFieldsError(missing: readonly MissingField[]): IdentityInputError {
  return new IdentityInputError(
    'IDENTITY_FIELDS_MISSING',
    missing.map((m) => ({
      file: MAPPING_FILE,
      field: `users.${m.user}.${m.field}`,
      message: m.field === 'email' ? 'is missing: a user without an email could never set a password' : 'is missing, and no IAM tag or the user name gives it',
    })),
  );
}

/** `jane.doe`, `jane_doe`, `jane-doe@corp` → Jane / Doe; a single word gives nothing. */
export function deriveNames(userName: string): { givenName: string; familyName: string } | null {
  const local = userName.split('@')[0] ?? '';
  const parts = local.split(/[._-]+/).filter((p) => /\p{L}/u.test(p));
  if (parts.length < 2) return null;
  const title = (word: string) => word.charAt(0).toLocaleUpperCase() + word.slice(1).toLocaleLowerCase();
  return { givenName: title(parts[0] as string), familyName: parts.slice(1).map(title).join(' ') };
}

/** IAM tag keys are case-sensitive, but people write `Email`, `EMAIL` and `email` alike. */
function tagValue(tags: readonly Tag[], keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const tag = tags.find((t) => t.key.toLowerCase() === key);
    if (tag !== undefined && tag.value.trim() !== '') return tag.value;
  }
  return undefined;
}

const ORIGIN_TEXT: Record<FieldOrigin, string> = {
  mapping: '',
  tag: ' (from an IAM tag)',
  template: ' (from --email-template)',
  derived: ' (derived from the user name)',
  composed: '',
};

function checkUsers(users: readonly DesiredUser[], problem: (field: string, message: string) => void): void {
  const userNames = new Map<string, string>();
  const emails = new Map<string, string>();
  for (const user of users) {
    const at = `users.${user.iamUserName}`;
    if (user.userName.length > IDENTITY_LIMITS.userNameMaxLength || /\s/.test(user.userName)) {
      problem(`${at}.userName`, `must be 1–${IDENTITY_LIMITS.userNameMaxLength} characters without spaces (Identity Center user name)`);
    }
    // Identity Center compares user names without regard to case.
    const key = user.userName.normalize('NFC').toLowerCase();
    const other = userNames.get(key);
    if (other !== undefined) problem(`${at}.userName`, `${user.userName} is also the Identity Center user name of ${other}`);
    else userNames.set(key, user.iamUserName);

    for (const field of ['displayName', 'givenName', 'familyName'] as const) {
      const value = user[field];
      if (value !== null && value.length > IDENTITY_LIMITS.nameMaxLength) {
        problem(`${at}.${field}`, `must be at most ${IDENTITY_LIMITS.nameMaxLength} characters${ORIGIN_TEXT[user.origins[field] ?? 'mapping']}`);
      }
    }
    if (user.email === null) continue;
    const from = ORIGIN_TEXT[user.origins.email ?? 'mapping'];
    if (!emailSchema.safeParse(user.email).success || user.email.length > IDENTITY_LIMITS.emailMaxLength) {
      problem(`${at}.email`, `${JSON.stringify(user.email)}${from} is not a valid email address`);
      continue;
    }
    const emailKey = user.email.toLowerCase();
    const owner = emails.get(emailKey);
    if (owner !== undefined) problem(`${at}.email`, `${user.email}${from} is also the email of ${owner}; each person needs their own`);
    else emails.set(emailKey, user.iamUserName);
  }
}

function readDesiredGroups(mapping: Mapping, users: readonly DesiredUser[], problem: (field: string, message: string) => void): DesiredGroup[] {
  const byIamName = new Map(users.map((u) => [u.iamUserName, u.userName]));
  return Object.entries(mapping.groups).map(([displayName, group]) => {
    if (displayName.length > IDENTITY_LIMITS.groupDisplayNameMaxLength) {
      problem(`groups.${displayName.slice(0, 40)}…`, `the group name must be at most ${IDENTITY_LIMITS.groupDisplayNameMaxLength} characters`);
    }
    // Machine and skipped users get no Identity Center user, so they are left out of the group.
    const members = [...new Set(group.members.flatMap((m) => byIamName.get(m) ?? []))];
    return { displayName, description: group.description ?? null, members };
  });
}
