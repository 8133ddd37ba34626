import { SafetyRefusal } from '../errors.js';
import type { PlannedAction, Risk } from './plan-types.js';

/** What the guard knows about the account's principals. Built by the command from the audit and the mapping. */
export interface PrincipalFacts {
  /** The UserId of the credentials in use (matched by ID, whatever the name or path). */
  callerUserId: string;
  /** Names protected by `mapping.protect.users`. */
  protectedNames: ReadonlySet<string>;
  /** `key=value` tags that protect a user (`mapping.protect.tags`, and `iam2idc:protect=true`). */
  protectedTags: readonly { key: string; value: string }[];
  /** Every IAM user: ID, tags, kind in the mapping, whether it has administrator access. */
  users: ReadonlyMap<string, { userId: string; tags: readonly { key: string; value: string }[]; kind: 'human' | 'machine' | 'skip' | 'unknown'; isAdmin: boolean }>;
  /** Users named explicitly on the command line: only these machine users may be touched. */
  explicitlyNamed: ReadonlySet<string>;
  /** True when an Identity Center assignment with administrator access has been verified. */
  identityCenterAdminVerified: boolean;
}

export interface GuardRefusal {
  actionId: string;
  userName: string;
  code: 'EMPTY_USER_NAME' | 'CALLER_CREDENTIALS' | 'PROTECTED_USER' | 'MACHINE_USER' | 'NOT_A_HUMAN_USER' | 'LAST_ADMIN' | 'UNKNOWN_USER';
  reason: string;
}

/** Risks that take access away from a principal: the guard looks at these. */
const GUARDED: ReadonlySet<Risk> = new Set(['narrowing', 'destructive', 'irreversible']);
const VALID_USER_NAME = /^[\w+=,.@-]{1,64}$/;

/**
 * The lockout guard: which actions of a plan would touch a principal no command may touch. It cannot
 * be bypassed: `--yes`, `--force` or a saved plan go through it the same way.
 */
export function findLockoutRefusals(actions: readonly PlannedAction[], facts: PrincipalFacts): GuardRefusal[] {
  const refusals: GuardRefusal[] = [];
  const touchedAdmins = new Set<string>();
  // IAM user names are unique regardless of case: `Break-Glass` in mapping.yaml protects `break-glass`.
  const protectedNames = new Set([...facts.protectedNames].map((name) => name.toLowerCase()));
  for (const action of actions) {
    if (!action.principal || !GUARDED.has(action.risk)) continue;
    const { userName } = action.principal;
    const refuse = (code: GuardRefusal['code'], reason: string) => refusals.push({ actionId: action.id, userName, code, reason });
    // IAM applies key operations to the caller when UserName is absent: an empty name must never reach a call.
    if (!VALID_USER_NAME.test(userName)) {
      refuse('EMPTY_USER_NAME', 'the user name is empty or not a valid IAM user name');
      continue;
    }
    const user = facts.users.get(userName);
    if (!user) {
      refuse('UNKNOWN_USER', 'the user is not in the audit: re-run audit');
      continue;
    }
    if (user.userId === facts.callerUserId || action.principal.userId === facts.callerUserId) {
      refuse('CALLER_CREDENTIALS', 'these are the credentials this run uses');
    } else if (protectedNames.has(userName.toLowerCase()) || user.tags.some((t) => facts.protectedTags.some((p) => sameTag(p, t)))) {
      refuse('PROTECTED_USER', 'the user is protected (mapping.yaml protect, or a protect tag)');
    } else if (user.kind === 'machine' && !facts.explicitlyNamed.has(userName)) {
      refuse('MACHINE_USER', 'machine users are only touched when named explicitly');
    } else if (user.kind !== 'human' && user.kind !== 'machine' && !facts.explicitlyNamed.has(userName)) {
      // skip or not yet classified: the operator has not said this user moves to Identity Center.
      refuse('NOT_A_HUMAN_USER', 'the user is not marked human in mapping.yaml, and was not named explicitly');
    } else if (user.isAdmin) {
      touchedAdmins.add(userName);
    }
  }
  const admins = [...facts.users].filter(([, u]) => u.isAdmin).map(([name]) => name);
  if (admins.length > 0 && admins.every((name) => touchedAdmins.has(name)) && !facts.identityCenterAdminVerified) {
    for (const action of actions) {
      if (action.principal && touchedAdmins.has(action.principal.userName) && GUARDED.has(action.risk)) {
        refusals.push({ actionId: action.id, userName: action.principal.userName, code: 'LAST_ADMIN', reason: 'it would remove the last administrator, and no Identity Center administrator access is verified' });
      }
    }
  }
  return refusals;
}

/** Throws the refusal (exit 3) when any action of the plan would lock someone out. */
export function enforceLockoutGuard(actions: readonly PlannedAction[], facts: PrincipalFacts): void {
  const refusals = findLockoutRefusals(actions, facts);
  if (refusals.length === 0) return;
  const lines = [...new Map(refusals.map((r) => [`${r.userName}:${r.code}`, r])).values()].map((r) => `${r.userName}: ${r.reason} (${r.code})`);
  throw new SafetyRefusal(
    'LOCKOUT_GUARD',
    `Refused, to avoid a lockout:\n  ${lines.join('\n  ')}`,
    'Leave these users out of the run. Protected and caller users are never touched; a machine user only when named explicitly; the last administrator only after an Identity Center administrator assignment is verified.',
  );
}

function sameTag(a: { key: string; value: string }, b: { key: string; value: string }): boolean {
  return a.key.toLowerCase() === b.key.toLowerCase() && a.value.toLowerCase() === b.value.toLowerCase();
}
