import { createHash } from 'node:crypto';
import { lstat, readFile } from 'node:fs/promises';
import path from 'node:path';
import stableStringify from 'safe-stable-stringify';
import writeFileAtomic from 'write-file-atomic';
import { z } from 'zod';
import { SafetyRefusal, UserError } from '../errors.js';
import { formatZodIssues } from '../workspace/format-zod-issues.js';
import { findDependencyCycle, PLAN_VERSION, type ActionKind, type ActionPrincipal, type Plan } from './plan-types.js';
import { verifyPlan } from './verify-plan.js';

const risk = z.enum(['read', 'broadening', 'narrowing', 'destructive', 'irreversible']);

const planSchema = z.strictObject({
  version: z.literal(PLAN_VERSION),
  command: z.string().min(1),
  accountId: z.string().regex(/^\d{12}$/),
  createdAt: z.iso.datetime(),
  /** `sha256:<hex>` over the rest of the plan: an edit made after saving shows as a mismatch. */
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  actions: z.array(
    z.strictObject({
      id: z.string().min(1),
      kind: z.string().min(1),
      service: z.string().min(1),
      target: z.string().min(1),
      risk,
      preview: z.string(),
      params: z.unknown(),
      dependsOn: z.array(z.string()),
      fingerprint: z.string().nullable(),
      principal: z.strictObject({ userName: z.string(), userId: z.string().nullable() }).optional(),
    }),
  ),
});

/** The digest a saved plan carries: over its content in a canonical form, so key order never matters. */
export function planDigest(plan: Plan): string {
  const { version, command, accountId, createdAt, actions } = plan;
  return `sha256:${createHash('sha256').update(stableStringify({ version, command, accountId, createdAt, actions }) ?? '').digest('hex')}`;
}

/**
 * Checks, without writing, that `--save-plan <file>` can be written: its folder exists, and the file,
 * if there, is a regular file and not a link (write-file-atomic would write through a link). Called
 * before any AWS call, so a typo costs nothing.
 */
export async function checkSavePlanTarget(file: string): Promise<void> {
  const resolved = path.resolve(file);
  const refuse = (why: string) => new UserError('PLAN_FILE_TARGET_INVALID', `Cannot save the plan to ${resolved}: ${why}.`, 'Give a file in a folder that exists, for example plans/<name>.json in the workspace.');
  const folder = await lstat(path.dirname(resolved)).catch(() => null);
  if (folder === null || !(folder.isDirectory() || folder.isSymbolicLink())) throw refuse(`the folder ${path.dirname(resolved)} does not exist`);
  const existing = await lstat(resolved).catch(() => null);
  if (existing?.isSymbolicLink()) throw refuse('it is a symbolic link');
  if (existing && !existing.isFile()) throw refuse('it is not a regular file');
}

/** Writes a plan for `--plan` to apply later: 0600, atomically, with its digest. */
export async function savePlan(file: string, plan: Plan): Promise<string> {
  const resolved = path.resolve(file);
  await checkSavePlanTarget(resolved);
  const { version, command, accountId, createdAt, actions } = plan;
  const saved = { version, command, accountId, createdAt, digest: planDigest(plan), actions };
  await writeFileAtomic(resolved, `${JSON.stringify(saved, null, 2)}\n`, { mode: 0o600 });
  return resolved;
}

export interface LoadPlanOptions {
  command: string;
  /** What each kind of action the command applies means; every action of the plan is checked against it. */
  kinds: ReadonlyMap<string, ActionKind>;
  /** Checked when known; without it only the file itself is, so that a bad plan is refused before the first AWS call. */
  accountId?: string;
  /** Whether a verified backup of this user is on disk (for deletions whose plan takes no backup first). */
  hasVerifiedBackup?: (principal: ActionPrincipal) => boolean;
}

/**
 * Reads a saved plan and checks it whole before anything of it runs: that it is a plan of this command
 * and account, that every action is what its kind says it is, that every deletion of a user is backed
 * up first, and that nothing was changed since it was saved. A file that is not a plan is a usage
 * error (exit 2); an edited plan, or one for another account, is refused (exit 3).
 */
export async function loadPlan(file: string, expected: LoadPlanOptions): Promise<Plan> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new UserError('PLAN_FILE_INVALID', `Cannot read the plan ${file}: ${(error as Error).message}`, 'Give a file written by --save-plan.');
  }
  const parsed = planSchema.safeParse(raw);
  if (!parsed.success) {
    throw new UserError('PLAN_FILE_INVALID', `${file} is not a valid plan: ${formatZodIssues(parsed.error)}`, 'Make the plan again with --dry-run --save-plan <file>.');
  }
  const { digest, ...content } = parsed.data;
  const plan = content as Plan;
  if (plan.command !== expected.command) {
    throw new UserError('PLAN_WRONG_COMMAND', `${file} is a plan for \`${plan.command}\`, not \`${expected.command}\`.`, `Apply it with iam2idc ${plan.command} --plan ${file}.`);
  }
  const ids = new Set<string>();
  for (const action of plan.actions) {
    if (ids.has(action.id)) throw new UserError('PLAN_FILE_INVALID', `${file}: the action id ${action.id} appears twice.`, 'Make the plan again.');
    ids.add(action.id);
  }
  for (const action of plan.actions) {
    const missing = action.dependsOn.find((id) => !ids.has(id));
    if (missing) throw new UserError('PLAN_FILE_INVALID', `${file}: ${action.id} depends on ${missing}, which the plan does not have.`, 'Make the plan again.');
  }
  const cycle = findDependencyCycle(plan.actions);
  if (cycle) throw new UserError('PLAN_FILE_INVALID', `${file}: the actions depend on each other in a circle (${cycle.join(' → ')}).`, 'Make the plan again.');
  // The kinds first: they name the edit; the digest then catches any other.
  const actions = verifyPlan(plan.actions, expected.kinds, { source: { saved: true, file }, hasVerifiedBackup: expected.hasVerifiedBackup });
  if (planDigest(plan) !== digest) {
    throw new SafetyRefusal('PLAN_EDITED', `${file} was edited after it was saved: its content no longer matches its digest. Nothing was changed.`, 'Make the plan again with --dry-run --save-plan <file>, review it, and apply that file.');
  }
  if (expected.accountId !== undefined && plan.accountId !== expected.accountId) {
    throw new SafetyRefusal('PLAN_WRONG_ACCOUNT', `${file} was made for account ${plan.accountId}, but the credentials are for ${expected.accountId}.`, `Use credentials for account ${plan.accountId}, or make a new plan.`);
  }
  return { ...plan, actions };
}
