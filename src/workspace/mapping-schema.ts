import { z } from 'zod';

/**
 * The schema of `mapping.yaml`, the operator-editable migration plan. Shape and limits follow the
 * IAM and IAM Identity Center API constraints, so that a file that passes here does not fail later
 * at an AWS call. Cross-references between sections are checked by `validateMapping`.
 */

export const MAPPING_VERSION = 1;

/** IAM user and group names: 1–64 (users) / 1–128 (groups) characters of `[\w+=,.@-]`. */
const IAM_NAME_PATTERN = /^[\w+=,.@-]+$/;
export const PERMISSION_SET_NAME_PATTERN = /^[\w+=,.@-]{1,32}$/;
export const PERMISSION_SET_NAME_MAX_LENGTH = 32;
export const DEFAULT_SESSION_DURATION = 'PT8H';
export const PROTECT_TAG = 'iam2idc:protect=true';

const ACCOUNT_ID_PATTERN = /^\d{12}$/;
const OU_ID_PATTERN = /^ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}$/;
const ROOT_ID_PATTERN = /^r-[0-9a-z]{4,32}$/;
/** Identity Store user names: no whitespace or control characters, at most 128. */
const IDC_USER_NAME_PATTERN = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$/u;
const AWS_MANAGED_POLICY_ARN_PATTERN = /^arn:aws[\w-]*:iam::aws:policy\/[\w+=,.@/-]+$/;
const POLICY_PATH_PATTERN = /^(?:\/[\w.,+@=-]+)*\/$/;
const ISO_DURATION_PATTERN = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$/;

/** Seconds in an ISO-8601 `PT…` duration, or null when it is not one. */
export function sessionDurationSeconds(value: string): number | null {
  const match = ISO_DURATION_PATTERN.exec(value);
  if (!match || value === 'PT') return null;
  const [, h, m, s] = match;
  return Number(h ?? 0) * 3600 + Number(m ?? 0) * 60 + Number(s ?? 0);
}

/**
 * Turns any string into a valid permission set name: characters outside `[\w+=,.@-]` become `-`,
 * and the result is cut to 32 characters. Uniqueness is the caller's concern.
 */
export function normalisePermissionSetName(raw: string): string {
  const cut = raw.replace(/[^\w+=,.@-]/g, '-').slice(0, PERMISSION_SET_NAME_MAX_LENGTH);
  // A name cut mid-word reads better without a dangling separator.
  const trimmed = cut.replace(/[-.]+$/, '');
  return trimmed === '' ? 'permission-set' : trimmed;
}

/** Splits a `key=value` protect tag; keys and values compare case-insensitively (see `isProtectedBy`). */
export function parseProtectTag(spec: string): { key: string; value: string } | null {
  const at = spec.indexOf('=');
  if (at <= 0) return null;
  return { key: spec.slice(0, at).trim(), value: spec.slice(at + 1).trim() };
}

/**
 * Whether a user is protected by the mapping's `protect` section. Tags compare case-insensitively:
 * a protection that misses `IAM2IDC:Protect=True` would be worse than one that matches too much.
 */
export function isProtectedBy(
  protect: { users: readonly string[]; tags: readonly string[] },
  user: { userName: string; tags: readonly { key: string; value: string }[] },
): boolean {
  const name = user.userName.toLowerCase();
  if (protect.users.some((u) => u.toLowerCase() === name)) return true;
  return protect.tags.some((spec) => {
    const tag = parseProtectTag(spec);
    return (
      tag !== null &&
      user.tags.some(
        (t) => t.key.toLowerCase() === tag.key.toLowerCase() && t.value.toLowerCase() === tag.value.toLowerCase(),
      )
    );
  });
}

/**
 * YAML reads an unquoted account ID as a number. Accept it when it still has its 12 digits; one
 * that lost leading zeros (or a typo) stays a number and is rejected with a hint to quote it.
 */
const accountLike = (pattern: RegExp, message: string) =>
  z.preprocess(
    (v) => (typeof v === 'number' && Number.isSafeInteger(v) && String(v).length === 12 ? String(v) : v),
    z.string().regex(pattern, message),
  );

/** A section the draft always writes. Missing is an error (it catches truncated files); empty is fine. */
const section = <T extends z.ZodType>(schema: T, empty: () => unknown) =>
  z.preprocess((v) => (v === null ? empty() : v), schema);

const iamUserName = z
  .string()
  .regex(IAM_NAME_PATTERN, 'must be an IAM user name: letters, digits and + = , . @ _ -')
  .max(64, 'must be at most 64 characters (IAM user name)');

const iamGroupName = z
  .string()
  .regex(IAM_NAME_PATTERN, 'must be an IAM group name: letters, digits and + = , . @ _ -')
  .max(128, 'must be at most 128 characters (IAM group name)');

export const permissionSetNameSchema = z.string().regex(PERMISSION_SET_NAME_PATTERN, {
  // Propose the name the tool would use, so the fix is one copy and paste.
  error: (issue) =>
    `must be 1–32 characters of letters, digits and + = , . @ _ - (for example "${normalisePermissionSetName(String(issue.input))}")`,
});

const groupDisplayName = z
  .string()
  .min(1, 'must not be empty')
  .max(1024, 'must be at most 1024 characters')
  .refine((v) => v.trim() === v, 'must not start or end with whitespace');

const target = accountLike(
  new RegExp(`(?:${ACCOUNT_ID_PATTERN.source})|(?:${OU_ID_PATTERN.source})|(?:${ROOT_ID_PATTERN.source})`),
  'must be a 12-digit account ID, an OU ID (ou-xxxx-xxxxxxxx) or a root ID (r-xxxx)',
);

const protectTag = z.string().refine((v) => parseProtectTag(v) !== null, 'must be written key=value');

export const emailSchema = z.email('must be an email address');

const optionalText = (max: number) =>
  z.string().min(1, 'must not be empty').max(max, `must be at most ${max} characters`).optional();

export const userEntrySchema = z
  .strictObject({
    kind: z.enum(['human', 'machine', 'skip'], { error: 'must be one of: human, machine, skip' }),
    userName: z
      .string()
      .regex(IDC_USER_NAME_PATTERN, 'must be 1–128 characters without spaces (Identity Center user name)')
      .optional(),
    email: emailSchema.optional(),
    displayName: optionalText(1024),
    givenName: optionalText(1024),
    familyName: optionalText(1024),
    /**
     * Access a permission set gives this person that their IAM user did not have, accepted on purpose
     * (verify reports it as acknowledged, and it no longer holds back disable).
     */
    acknowledgedEscalations: z
      .array(
        z.strictObject({
          action: z.string().regex(/^[\w*?-]+:[\w*?-]+$|^\*$/, 'must be an IAM action or action pattern, e.g. sqs:DeleteQueue or s3:*'),
          resource: z.string().min(1, 'must not be empty').default('*'),
          reason: z.string().trim().min(1, 'must say why the extra access is accepted'),
        }),
      )
      .optional(),
  })
  .superRefine((user, ctx) => {
    if (user.kind === 'human' && user.userName === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['userName'],
        message: 'is required for a human user (the Identity Center user name it becomes)',
      });
    }
  });

const customerManagedPolicySchema = z.strictObject({
  name: z.string().regex(/^[\w+=,.@-]{1,128}$/, 'must be a policy name: 1–128 letters, digits and + = , . @ _ -'),
  path: z.string().regex(POLICY_PATH_PATTERN, 'must be a policy path that starts and ends with /').default('/'),
});

const sourceSchema = z
  .strictObject({ group: iamGroupName.optional(), user: iamUserName.optional() })
  .refine((s) => (s.group === undefined) !== (s.user === undefined), 'must give exactly one of group or user');

export const permissionSetEntrySchema = z.strictObject({
  description: z.string().max(700, 'must be at most 700 characters').optional(),
  sessionDuration: z
    .string()
    .refine((v) => {
      const seconds = sessionDurationSeconds(v);
      return seconds !== null && seconds >= 3600 && seconds <= 43200;
    }, 'must be an ISO-8601 duration from PT1H to PT12H, e.g. PT8H')
    .default(DEFAULT_SESSION_DURATION),
  managedPolicies: section(
    z.array(z.string().regex(AWS_MANAGED_POLICY_ARN_PATTERN, 'must be an AWS-managed policy ARN (arn:aws:iam::aws:policy/…)')),
    () => [],
  ).default([]),
  customerManagedPolicies: section(z.array(customerManagedPolicySchema), () => []).default([]),
  inlinePolicyFile: z
    .string()
    .refine(
      (v) => !/^([/\\]|[A-Za-z]:)/.test(v) && !v.split(/[/\\]/).includes('..') && v.endsWith('.json'),
      'must be a .json file path relative to the workspace, without ..',
    )
    .optional(),
  source: sourceSchema.optional(),
  /** Absent: the set's boundary is left as it is. null: none. Otherwise an AWS-managed or customer-managed policy. */
  permissionsBoundary: z
    .union([
      z.strictObject({ managedPolicyArn: z.string().regex(AWS_MANAGED_POLICY_ARN_PATTERN, 'must be an AWS-managed policy ARN') }),
      z.strictObject({ customerManagedPolicy: customerManagedPolicySchema }),
    ])
    .nullable()
    .optional(),
});

export const groupEntrySchema = z.strictObject({
  description: optionalText(1024),
  members: section(z.array(iamUserName), () => []).default([]),
});

export const assignmentSchema = z
  .strictObject({
    group: groupDisplayName.optional(),
    user: iamUserName.optional(),
    permissionSet: permissionSetNameSchema,
    targets: z.array(target).min(1, 'must list at least one account ID or OU ID'),
  })
  .refine((a) => (a.group === undefined) !== (a.user === undefined), 'must give exactly one of group or user');

export const mappingSchema = z.strictObject({
  version: z.literal(MAPPING_VERSION, { error: `must be ${MAPPING_VERSION}` }),
  account: accountLike(ACCOUNT_ID_PATTERN, 'must be a 12-digit account ID'),
  protect: section(
    z.strictObject({
      users: section(z.array(iamUserName), () => []).default([]),
      tags: section(z.array(protectTag), () => []).default([]),
    }),
    () => ({}),
  ),
  users: section(z.record(iamUserName, userEntrySchema), () => ({})),
  permissionSets: section(z.record(permissionSetNameSchema, permissionSetEntrySchema), () => ({})),
  groups: section(z.record(groupDisplayName, groupEntrySchema), () => ({})),
  assignments: section(z.array(assignmentSchema), () => []),
});

export type Mapping = z.infer<typeof mappingSchema>;
export type MappingUser = z.infer<typeof userEntrySchema>;
export type MappingPermissionSet = z.infer<typeof permissionSetEntrySchema>;
export type MappingGroup = z.infer<typeof groupEntrySchema>;
export type MappingAssignment = z.infer<typeof assignmentSchema>;

/** A problem `validateMapping` found. Errors stop every command; warnings are shown and let it go on. */
export interface MappingIssue {
  severity: 'error' | 'warning';
  /** Where in the file, e.g. `['groups', 'Developers', 'members', 2]`. */
  path: (string | number)[];
  message: string;
}

/** Both IAM and Identity Store compare user names without regard to case. */
const normaliseName = (name: string): string => name.normalize('NFC').toLowerCase();

/** AWS caps managed + customer-managed attachments per permission set at 20; target roles default to 10. */
const MAX_POLICY_ATTACHMENTS = 20;
const ROLE_DEFAULT_POLICY_QUOTA = 10;

/**
 * Checks what the schema cannot: references between sections, names that clash once compared the
 * way AWS compares them, and plans that would do something surprising (a machine user in an IdC
 * group). Returns every issue found, errors first.
 */
export function validateMapping(mapping: Mapping): MappingIssue[] {
  const issues: MappingIssue[] = [];
  const error = (path: MappingIssue['path'], message: string) => issues.push({ severity: 'error', path, message });
  const warn = (path: MappingIssue['path'], message: string) => issues.push({ severity: 'warning', path, message });
  const { users, permissionSets, groups } = mapping;
  const nonHuman = (name: string) => users[name] !== undefined && users[name].kind !== 'human';

  const iamNames = new Map<string, string>();
  const idcNames = new Map<string, string>();
  for (const [name, user] of Object.entries(users)) {
    const seen = iamNames.get(normaliseName(name));
    if (seen !== undefined) error(['users', name], `is the same IAM user as ${seen} (IAM user names ignore case)`);
    iamNames.set(normaliseName(name), name);
    if (user.kind !== 'human' || user.userName === undefined) continue;
    const other = idcNames.get(normaliseName(user.userName));
    if (other !== undefined) {
      error(['users', name, 'userName'], `${user.userName} is also the Identity Center user name of ${other}`);
    }
    idcNames.set(normaliseName(user.userName), name);
  }

  mapping.protect.users.forEach((name, i) => {
    if (users[name] === undefined) warn(['protect', 'users', i], `${name} is not a user of this mapping (check the spelling)`);
  });

  for (const [name, ps] of Object.entries(permissionSets)) {
    const attached = ps.managedPolicies.length + ps.customerManagedPolicies.length;
    if (attached > MAX_POLICY_ATTACHMENTS) {
      error(['permissionSets', name], `attaches ${attached} policies; a permission set allows at most ${MAX_POLICY_ATTACHMENTS}`);
    } else if (attached > ROLE_DEFAULT_POLICY_QUOTA) {
      warn(['permissionSets', name], `attaches ${attached} policies; roles allow ${ROLE_DEFAULT_POLICY_QUOTA} by default, so provisioning may fail`);
    }
    if (attached === 0 && ps.inlinePolicyFile === undefined) {
      warn(['permissionSets', name], 'has no policy, so it grants no access');
    }
    if (ps.source?.user !== undefined && users[ps.source.user] === undefined) {
      warn(['permissionSets', name, 'source', 'user'], `${ps.source.user} is not a user of this mapping`);
    }
  }

  const groupNames = new Map<string, string>();
  for (const [name, group] of Object.entries(groups)) {
    const seen = groupNames.get(normaliseName(name));
    if (seen !== undefined) warn(['groups', name], `differs from group ${seen} only by case, which may clash in Identity Center`);
    groupNames.set(normaliseName(name), name);
    const members = new Set<string>();
    group.members.forEach((member, i) => {
      const path = ['groups', name, 'members', i];
      if (users[member] === undefined) error(path, `${member} is not a user of this mapping`);
      else if (nonHuman(member)) warn(path, `${member} is ${users[member]?.kind}: it gets no Identity Center user, so it is left out of the group`);
      if (members.has(member)) warn(path, `${member} is listed twice`);
      members.add(member);
    });
  }

  const seenAssignments = new Set<string>();
  mapping.assignments.forEach((a, i) => {
    const path = ['assignments', i];
    if (permissionSets[a.permissionSet] === undefined) {
      error([...path, 'permissionSet'], `${a.permissionSet} is not a permission set of this mapping`);
    }
    if (a.group !== undefined && groups[a.group] === undefined) {
      error([...path, 'group'], `${a.group} is not a group of this mapping`);
    }
    if (a.user !== undefined) {
      if (users[a.user] === undefined) error([...path, 'user'], `${a.user} is not a user of this mapping`);
      else if (nonHuman(a.user)) warn([...path, 'user'], `${a.user} is ${users[a.user]?.kind}: it gets no Identity Center user, so this assignment is skipped`);
    }
    for (const t of a.targets) {
      const key = JSON.stringify([a.group ?? null, a.user ?? null, a.permissionSet, t]);
      if (seenAssignments.has(key)) warn(path, `assigns ${a.permissionSet} on ${t} to the same principal twice`);
      seenAssignments.add(key);
    }
  });

  return [...issues.filter((x) => x.severity === 'error'), ...issues.filter((x) => x.severity === 'warning')];
}
