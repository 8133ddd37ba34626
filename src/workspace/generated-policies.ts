/**
 * `policies/generated/<user>.json`: the policy IAM Access Analyzer generated from one IAM user's
 * CloudTrail activity, with the window it analysed. A permission set may be narrowed to it, so the
 * file is sealed like a backup (see file-seals.ts): a result edited to grant more, or copied from
 * another workspace, is refused instead of becoming part of a permission set.
 */
import { z } from 'zod';
import { Fault, UserError } from '../errors.js';
import { IAM_USER_NAME, iamUserName } from '../model/iam-identifiers.js';
import type { PolicyDocument } from '../model/inventory.js';
import { contentDigest, type FileSealer, type FileTrust } from './file-seals.js';
import { formatZodIssues } from './format-zod-issues.js';
import type { Workspace } from './workspace.js';

export const GENERATED_POLICY_VERSION = 1;
export const GENERATED_POLICY_DIR = 'policies/generated';

const isoDate = z.iso.datetime({ offset: true });
/** A CloudTrail trail as Access Analyzer names it: asked for in a job's parameters, and reported as analysed. */
export const generationTrailSchema = z.strictObject({ cloudTrailArn: z.string().startsWith('arn:'), allRegions: z.boolean(), regions: z.array(z.string()).optional() });
const policyDocumentSchema = z.looseObject({
  Version: z.string().optional(),
  Statement: z.union([z.array(z.record(z.string(), z.unknown())), z.record(z.string(), z.unknown())]),
});

const GeneratedPolicySchema = z.strictObject({
  schemaVersion: z.literal(GENERATED_POLICY_VERSION),
  accountId: z.string().regex(/^\d{12}$/),
  userName: iamUserName,
  principalArn: z.string().startsWith('arn:'),
  /** The token of the start that made the job: the action that asked for it is done when this file carries it. */
  clientToken: z.string().min(1),
  jobId: z.string().min(1),
  /** The window asked for, and the one Access Analyzer says it analysed (with its trails). */
  window: z.strictObject({ startTime: isoDate, endTime: isoDate }),
  analysed: z.strictObject({ startTime: isoDate, endTime: isoDate, trails: z.array(generationTrailSchema) }).nullable(),
  /** False when Access Analyzer says the policy is incomplete (too much activity to analyse). */
  isComplete: z.boolean().nullable(),
  completedAt: isoDate,
  policies: z.array(policyDocumentSchema),
  digest: z.string(),
});

export type GeneratedPolicy = Omit<z.infer<typeof GeneratedPolicySchema>, 'policies'> & { policies: PolicyDocument[] };
export type GeneratedPolicyContent = Omit<GeneratedPolicy, 'digest'>;

export function generatedPolicyPath(userName: string): string {
  if (!IAM_USER_NAME.test(userName)) throw new Fault('INVALID_GENERATED_POLICY_NAME', `No file name for user "${userName}": not an IAM user name.`, 'This is a bug in iam2idc: please report it.');
  return `${GENERATED_POLICY_DIR}/${userName}.json`;
}

/** The policy generated for the user, checked against the journal (see FileTrust), or null when there is none. */
export async function readGeneratedPolicy(workspace: Workspace, userName: string, trust: FileTrust): Promise<GeneratedPolicy | null> {
  const relativePath = generatedPolicyPath(userName);
  const text = await workspace.readText(relativePath);
  if (text === null) return null;
  const file = { relativePath, absolutePath: workspace.resolve(relativePath) };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw invalid(file.absolutePath, (error as Error).message);
  }
  const parsed = GeneratedPolicySchema.safeParse(raw);
  if (!parsed.success) throw invalid(file.absolutePath, formatZodIssues(parsed.error));
  trust.check(file, parsed.data, generatedPolicyPath(parsed.data.userName));
  return parsed.data as unknown as GeneratedPolicy;
}

/** Seals the result in the journal, then writes it atomically (0600). */
export async function writeGeneratedPolicy(workspace: Workspace, content: GeneratedPolicyContent, sealer: FileSealer): Promise<void> {
  const relativePath = generatedPolicyPath(content.userName);
  const result = GeneratedPolicySchema.parse({ ...content, digest: contentDigest(content) });
  await sealer.seal(relativePath, result.digest, { accountId: result.accountId, userId: result.principalArn });
  await workspace.writeJson(relativePath, result);
}

function invalid(file: string, why: string): UserError {
  return new UserError('GENERATED_POLICY_INVALID', `${file} is not a generated policy iam2idc can read: ${why}`, `Delete ${file}: the next \`generate-policies --from-activity\` generates it again.`);
}
