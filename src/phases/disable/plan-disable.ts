/**
 * The disable plan, from a fresh look at the users: per user a deny-all policy, then each active
 * access key set to Inactive. Pure: the gate, the exclusions and the choice of deny policy are all
 * decided here, so that they are unit-tested without AWS and shown before anything is asked.
 */
import type { PlannedAction } from '../../plan/plan-types.js';
import { isProtectedBy, PROTECT_TAG, type Mapping } from '../../workspace/mapping-schema.js';
import type { WorkspaceState } from '../../workspace/workspace-state.js';
import { denyAllPolicyArn } from '../../model/admin/admin-access.js';
import { countPolicyChars } from '../../model/policy-size.js';
import { evaluateGate, type GateCheck } from './evaluate-gate.js';
import { type PermissionCheck } from '../verify/permission-checks.js';
import type { IamUserState, IamUsersSnapshot } from './read-iam-users.js';
import { DENY_ALL_DOCUMENT, DENY_ALL_POLICY_NAME, RETIRE_KIND, userFingerprint, type AccessKeyParams, type InlinePolicyParams, type ManagedPolicyParams } from './retire-handlers.js';

/** IAM: "the total size of all inline policies of a user cannot exceed 2,048 characters" (white space not counted). */
export const USER_INLINE_POLICY_BUDGET = 2_048;
/** IAM's default quota of managed policies attached to one user. */
export const USER_MANAGED_POLICY_QUOTA = 10;

export type DisableMode = 'all' | 'keys-only' | 'deny-only';
export type MappedKind = 'human' | 'machine' | 'skip' | 'unknown';

export interface ExclusionReason {
  code: 'NOT_FOUND' | 'CALLER' | 'PROTECTED' | 'NO_ROOM_FOR_DENY' | 'GATE' | 'ESCALATION';
  message: string;
}

export interface UserDecision {
  userName: string;
  userId: string | null;
  kind: MappedKind;
  /**
   * planned: in the plan; forced: in the plan although the gate failed (--force-user); guarded: named
   * explicitly but the caller or protected, so in the plan for the engine's lockout guard to refuse;
   * excluded: left out; nothing-to-do: already disabled.
   */
  status: 'planned' | 'forced' | 'guarded' | 'excluded' | 'nothing-to-do';
  exclusion: ExclusionReason | null;
  gate: { passed: boolean; checks: GateCheck[] };
  /** The deny policy the plan adds; `present` when the user already has one. */
  denyPolicy: { kind: 'inline'; policyName: string; reason: string } | { kind: 'managed'; policyArn: string; reason: string } | { kind: 'present'; reason: string } | null;
  keys: { accessKeyId: string; status: 'Active' | 'Inactive'; lastUsed: string | null; lastUsedService: string | null; deactivate: boolean }[];
  passwordLastUsed: string | null;
}

export interface DisablePlanInput {
  snapshot: IamUsersSnapshot;
  mapping: Mapping;
  state: Pick<WorkspaceState, 'phases'>;
  callerUserId: string;
  partition: string;
  /** The users to consider; `explicit` when named with --users (then caller and protected ones are left to the guard). */
  targets: { names: string[]; explicit: boolean };
  /** --force-user: included although their gate failed. */
  forced: ReadonlySet<string>;
  cutover: Date;
  mode: DisableMode;
  /** verify's verdict per person (lower-case IAM user name); a person missing from it was not compared. */
  permissions: ReadonlyMap<string, PermissionCheck>;
}

export interface DisablePlan {
  actions: PlannedAction[];
  decisions: UserDecision[];
}

export function planDisable(input: DisablePlanInput): DisablePlan {
  const decisions: UserDecision[] = [];
  const actions: PlannedAction[] = [];
  const protect = { users: input.mapping.protect.users, tags: [...new Set([...input.mapping.protect.tags, PROTECT_TAG])] };
  for (const name of input.snapshot.missing) {
    decisions.push({ ...emptyDecision(name, kindOf(input.mapping, name)), status: 'excluded', exclusion: { code: 'NOT_FOUND', message: 'no IAM user has this name' } });
  }
  for (const user of targetUsers(input)) {
    const decision = decide(user, input, protect);
    decisions.push(decision);
    if (decision.status === 'planned' || decision.status === 'forced' || decision.status === 'guarded') actions.push(...actionsOf(user, decision, input.partition));
  }
  return { actions, decisions };
}

/** The target users, each once: `alice` and `ALICE` are one IAM user. */
function targetUsers(input: DisablePlanInput): IamUserState[] {
  const byLower = new Map([...input.snapshot.users.values()].map((u) => [u.userName.toLowerCase(), u]));
  const found = input.targets.names.map((n) => byLower.get(n.toLowerCase())).filter((u): u is IamUserState => u !== undefined);
  return [...new Map(found.map((u) => [u.userId, u])).values()];
}

function decide(user: IamUserState, input: DisablePlanInput, protect: { users: readonly string[]; tags: readonly string[] }): UserDecision {
  const kind = kindOf(input.mapping, user.userName);
  const credentials = user.credentials ?? { passwordLastUsed: null, accessKeys: [] };
  const permissions = input.permissions.get(user.userName.toLowerCase()) ?? null;
  const gate = evaluateGate({ user, kind, state: input.state, cutover: input.cutover, permissions });
  const denyPolicy = input.mode === 'keys-only' ? null : chooseDenyPolicy(user, input.partition);
  const keys = credentials.accessKeys.map((k) => ({ ...k, deactivate: input.mode !== 'deny-only' && k.status === 'Active' }));
  const base: UserDecision = { userName: user.userName, userId: user.userId, kind, status: 'planned', exclusion: null, gate, denyPolicy, keys, passwordLastUsed: credentials.passwordLastUsed };
  const exclude = (code: ExclusionReason['code'], message: string): UserDecision => ({ ...base, status: 'excluded', exclusion: { code, message } });
  const caller = user.userId === input.callerUserId;
  const isProtected = isProtectedBy(protect, user);
  // Named explicitly, the caller and protected users go to the engine, whose guard refuses them loudly (exit 3).
  if (input.targets.explicit && (caller || isProtected)) return { ...base, status: 'guarded' };
  if (caller) return exclude('CALLER', 'these are the credentials this run uses: never touched');
  if (isProtected) return exclude('PROTECTED', 'protected (mapping.yaml protect, or a protect tag): never touched');
  if (denyPolicy !== null && denyPolicy.kind === 'managed' && user.attachedPolicies.length >= USER_MANAGED_POLICY_QUOTA) {
    return exclude('NO_ROOM_FOR_DENY', `its inline policies leave no room for the deny-all and it has ${user.attachedPolicies.length} managed policies already: detach one, or use --keys-only`);
  }
  // An escalation is not a lack of evidence that --force-user may overrule: it is fixed, or acknowledged in mapping.yaml.
  if (kind === 'human' && permissions?.verdict === 'escalation') {
    return exclude('ESCALATION', gate.checks.find((c) => c.code === 'PERMISSIONS_KEPT')?.message ?? 'escalation');
  }
  const forced = [...input.forced].some((name) => name.toLowerCase() === user.userName.toLowerCase());
  if (!gate.passed && !forced) {
    return exclude('GATE', gate.checks.filter((c) => !c.passed).map((c) => c.message).join('; '));
  }
  const nothingLeft = (denyPolicy === null || denyPolicy.kind === 'present') && !keys.some((k) => k.deactivate);
  if (nothingLeft) return { ...base, status: 'nothing-to-do' };
  return { ...base, status: gate.passed ? 'planned' : 'forced' };
}

/** The inline deny-all when the user's inline budget has room for it, otherwise the AWS-managed AWSDenyAll. */
export function chooseDenyPolicy(user: Pick<IamUserState, 'inlinePolicies' | 'attachedPolicies'>, partition: string): NonNullable<UserDecision['denyPolicy']> {
  const managedArn = denyAllPolicyArn(partition);
  if (user.inlinePolicies.some((p) => p.name === DENY_ALL_POLICY_NAME)) return { kind: 'present', reason: `${DENY_ALL_POLICY_NAME} is already there` };
  if (user.attachedPolicies.some((p) => p.arn === managedArn)) return { kind: 'present', reason: 'AWSDenyAll is already attached' };
  const used = user.inlinePolicies.reduce((total, p) => total + countPolicyChars(p.document), 0);
  const needed = countPolicyChars(DENY_ALL_DOCUMENT);
  if (used + needed <= USER_INLINE_POLICY_BUDGET) return { kind: 'inline', policyName: DENY_ALL_POLICY_NAME, reason: `inline (${used + needed} of ${USER_INLINE_POLICY_BUDGET} characters)` };
  return { kind: 'managed', policyArn: managedArn, reason: `AWSDenyAll: the inline policies already use ${used} of ${USER_INLINE_POLICY_BUDGET} characters` };
}

function actionsOf(user: IamUserState, decision: UserDecision, partition: string): PlannedAction[] {
  const principal = { userName: user.userName, userId: user.userId };
  const fingerprint = userFingerprint(user.userId, decision.keys.map((k) => k.accessKeyId));
  const common = { service: 'iam', target: `IAM user ${user.userName}`, risk: 'narrowing' as const, fingerprint, principal };
  const actions: PlannedAction[] = [];
  const deny = decision.denyPolicy;
  const denyId = `disable/${user.userName}/deny-policy`;
  if (deny?.kind === 'inline') {
    const params: InlinePolicyParams = { ...principal, policyName: deny.policyName, fallbackPolicyArn: denyAllPolicyArn(partition) };
    actions.push({ ...common, id: denyId, kind: RETIRE_KIND.putDenyPolicy, preview: `add the inline deny-all ${deny.policyName}`, params, dependsOn: [] });
  } else if (deny?.kind === 'managed') {
    const params: ManagedPolicyParams = { ...principal, policyArn: deny.policyArn };
    actions.push({ ...common, id: denyId, kind: RETIRE_KIND.attachDenyPolicy, preview: 'attach AWSDenyAll (the inline budget is full)', params, dependsOn: [] });
  }
  for (const key of decision.keys.filter((k) => k.deactivate)) {
    const params: AccessKeyParams = { ...principal, accessKeyId: key.accessKeyId };
    // The deny first: it stops every credential at once, console included; a user whose deny failed keeps their keys too.
    const dependsOn = actions.some((a) => a.id === denyId) ? [denyId] : [];
    actions.push({ ...common, id: `disable/${user.userName}/key/${key.accessKeyId}`, kind: RETIRE_KIND.deactivateKey, preview: `deactivate access key ${key.accessKeyId} (last used ${key.lastUsed ?? 'never'})`, params, dependsOn });
  }
  return actions;
}

/** The user's kind in mapping.yaml (IAM user names ignore case); `unknown` when it has no entry. */
export function kindOf(mapping: Mapping, userName: string): MappedKind {
  const entry = Object.entries(mapping.users).find(([name]) => name.toLowerCase() === userName.toLowerCase())?.[1];
  return entry?.kind ?? 'unknown';
}

function emptyDecision(userName: string, kind: MappedKind): UserDecision {
  return { userName, userId: null, kind, status: 'excluded', exclusion: null, gate: { passed: false, checks: [] }, denyPolicy: null, keys: [], passwordLastUsed: null };
}
