/**
 * verify from the workspace: the audit's IAM users, the mapping's people and permission sets, the
 * policy files, and the documents of the AWS-managed policies either side uses (read from IAM when
 * the audit does not hold them). Reads AWS only; writes reports/verify.md and the verdicts.
 */
import type { IAMClient } from '@aws-sdk/client-iam';
import { isCredentialError } from '../../call-errors.js';
import { Iam2idcError } from '../../errors.js';
import { buildPolicyLibrary, knownAwsManagedDocuments, type PermissionSetContent } from '../../model/principal-policies.js';
import type { Mapping } from '../../workspace/mapping-schema.js';
import { readPolicyFile, readPolicyManifest } from '../../workspace/policy-files.js';
import type { Workspace } from '../../workspace/workspace.js';
import type { AuditSnapshot, PolicyDocument } from '../../model/inventory.js';
import { readDesiredPermissionSets } from '../create-permission-sets/read-desired.js';
import { fetchAwsManagedDocuments } from '../../model/fetch-aws-managed-documents.js';
import { renderVerifyMarkdown } from './render-verify-markdown.js';
import { verifyPeople, type VerifyReport } from './verify-people.js';

export const VERIFY_REPORT_FILE = 'reports/verify.md';

export interface VerifyOptions {
  workspace: Workspace;
  snapshot: AuditSnapshot;
  mapping: Mapping;
  iam: Pick<IAMClient, 'send'>;
  /** Only these IAM users. */
  only?: readonly string[];
}

export interface VerifyOutcome extends VerifyReport {
  /** AWS-managed policies whose documents could not be read, with why. */
  unreadPolicies: { arn: string; reason: string }[];
}

/** The comparison alone: nothing is written. */
export async function computeVerification(options: VerifyOptions): Promise<VerifyOutcome> {
  const { snapshot, mapping } = options;
  const permissionSets = await readPermissionSets(options.workspace, mapping);
  const partition = snapshot.caller.partition;
  const held = new Map((snapshot.awsManagedPolicies ?? []).map((p) => [p.arn, p.document]));
  const known = new Set([...held.keys(), ...knownAwsManagedDocuments(partition).keys()]);
  const needed = awsManagedArnsUsed(snapshot, [...permissionSets.values()]).filter((arn) => !known.has(arn));
  const unreadPolicies: VerifyOutcome['unreadPolicies'] = [];
  if (needed.length > 0) {
    try {
      for (const [arn, document] of await fetchAwsManagedDocuments(options.iam, needed)) held.set(arn, document);
    } catch (error) {
      if (isCredentialError(error)) throw error;
      // Those documents stay unknown: the people who depend on them are reported unverified.
      unreadPolicies.push(...needed.map((arn) => ({ arn, reason: (error as Error).message })));
    }
  }
  const library = buildPolicyLibrary({ groups: snapshot.groups, managedPolicies: snapshot.managedPolicies, awsManagedDocuments: held, partition, accountId: snapshot.caller.accountId });
  const report = await verifyPeople({ users: snapshot.users, mapping, permissionSets, library, region: snapshot.region, only: options.only });
  return { ...report, unreadPolicies };
}

/** Compares, then writes the report and records each person's verdict for status and disable. */
export async function runVerify(options: VerifyOptions & { now: () => Date }): Promise<VerifyOutcome & { reportFile: string; generatedAt: string }> {
  const outcome = await computeVerification(options);
  const generatedAt = options.now().toISOString();
  await options.workspace.writeText(VERIFY_REPORT_FILE, renderVerifyMarkdown(outcome, generatedAt));
  const users = Object.fromEntries(outcome.people.map((p) => [p.iamUser, { verdict: p.verdict, gained: p.gained.filter((g) => g.acknowledged === null).length, lost: p.lost.length }]));
  await options.workspace.updateState({ phase: 'verify', update: (previous) => ({ lastRunAt: generatedAt, users: { ...(options.only ? (previous?.users ?? {}) : {}), ...users } }) });
  return { ...outcome, reportFile: VERIFY_REPORT_FILE, generatedAt };
}

/**
 * Every permission set of the mapping as the files describe it; null for one that cannot be read
 * (a missing or broken policy file): the people who receive it are reported unverified.
 */
async function readPermissionSets(workspace: Workspace, mapping: Mapping): Promise<Map<string, PermissionSetContent | null>> {
  const manifest = await readPolicyManifest(workspace);
  const readPolicy = async (file: string): Promise<PolicyDocument | null> => (await readPolicyFile(workspace, file, manifest)).document;
  const sets = new Map<string, PermissionSetContent | null>();
  for (const name of Object.keys(mapping.permissionSets)) {
    try {
      const [set] = await readDesiredPermissionSets(mapping, readPolicy, { only: [name] });
      sets.set(name, set ?? null);
    } catch (error) {
      if (!(error instanceof Iam2idcError)) throw error;
      sets.set(name, null);
    }
  }
  return sets;
}

function awsManagedArnsUsed(snapshot: AuditSnapshot, sets: readonly (PermissionSetContent | null)[]): string[] {
  const isAwsManaged = (arn: string) => /^arn:[\w-]+:iam::aws:policy\//.test(arn);
  const arns = [
    ...snapshot.users.flatMap((u) => [...u.attachedPolicies.map((p) => p.arn), ...(u.permissionsBoundary ? [u.permissionsBoundary] : [])]),
    ...snapshot.groups.flatMap((g) => g.attachedPolicies.map((p) => p.arn)),
    ...sets.flatMap((s) => (s ? [...s.managedPolicies, ...(s.permissionsBoundary && 'managedPolicyArn' in s.permissionsBoundary ? [s.permissionsBoundary.managedPolicyArn] : [])] : [])),
  ];
  return [...new Set(arns.filter(isAwsManaged))].sort();
}
