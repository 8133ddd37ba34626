import { readFile } from 'node:fs/promises';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { z } from 'zod';
import { SafetyRefusal, UserError } from '../errors.js';
import { formatZodIssues } from '../workspace/format-zod-issues.js';
import { findDependencyCycle, PLAN_VERSION, type Plan } from './plan-types.js';

const risk = z.enum(['read', 'broadening', 'narrowing', 'destructive', 'irreversible']);

const planSchema = z.strictObject({
  version: z.literal(PLAN_VERSION),
  command: z.string().min(1),
  accountId: z.string().regex(/^\d{12}$/),
  createdAt: z.iso.datetime(),
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

/** Writes a plan for `--plan` to apply later: 0600, atomically. */
export async function savePlan(file: string, plan: Plan): Promise<string> {
  const resolved = path.resolve(file);
  await writeFileAtomic(resolved, `${JSON.stringify(plan, null, 2)}\n`, { mode: 0o600 });
  return resolved;
}

/**
 * Reads a saved plan and checks that it belongs to this command and this account. A file that is not
 * a plan is a usage error; a plan for another account is a safety refusal. Without `accountId` only the
 * file itself is checked, so that a bad plan file is refused before the first AWS call.
 */
export async function loadPlan(file: string, expected: { command: string; accountId?: string }): Promise<Plan> {
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
  const plan = parsed.data as Plan;
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
  if (expected.accountId !== undefined && plan.accountId !== expected.accountId) {
    throw new SafetyRefusal('PLAN_WRONG_ACCOUNT', `${file} was made for account ${plan.accountId}, but the credentials are for ${expected.accountId}.`, `Use credentials for account ${plan.accountId}, or make a new plan.`);
  }
  return plan;
}
