import {
  paginateGetAccountAuthorizationDetails,
  type AttachedPolicy,
  type IAMClient,
  type ManagedPolicyDetail,
  type Tag as IamTag,
} from '@aws-sdk/client-iam';
import { decodePolicyDocument } from './decode-policy-document.js';
import type { AttachedPolicyRef, Group, InlinePolicy, ManagedPolicy, Role, Tag, UserRecord } from './inventory.js';

/** A user as GetAccountAuthorizationDetails describes them, before credentials are joined in. */
export type UserDetail = Pick<
  UserRecord,
  'userName' | 'userId' | 'arn' | 'path' | 'createDate' | 'tags' | 'groups' | 'inlinePolicies' | 'attachedPolicies' | 'permissionsBoundary'
>;

export interface AuthorizationDetails {
  users: UserDetail[];
  groups: Group[];
  roles: Role[];
  managedPolicies: ManagedPolicy[];
  pages: number;
}

/**
 * The IAM inventory in as few calls as IAM allows: one paginated GetAccountAuthorizationDetails.
 * AWS-managed policies are left out on purpose: they add over a thousand documents (many pages)
 * and the audit only needs their ARNs, which the attachments already carry.
 */
export async function collectAuthorizationDetails(iam: IAMClient): Promise<AuthorizationDetails> {
  const result: AuthorizationDetails = { users: [], groups: [], roles: [], managedPolicies: [], pages: 0 };
  // IsTruncated can be true on a page with fewer than MaxItems entries; the paginator follows Marker regardless.
  const pages = paginateGetAccountAuthorizationDetails(
    { client: iam, pageSize: 1000 },
    { Filter: ['User', 'Group', 'Role', 'LocalManagedPolicy'] },
  );
  for await (const page of pages) {
    result.pages += 1;
    for (const user of page.UserDetailList ?? []) {
      result.users.push({
        userName: user.UserName ?? '',
        userId: user.UserId ?? '',
        arn: user.Arn ?? '',
        path: user.Path ?? '/',
        createDate: toIso(user.CreateDate),
        tags: toTags(user.Tags),
        groups: [...(user.GroupList ?? [])],
        inlinePolicies: toInline(user.UserPolicyList),
        attachedPolicies: toAttached(user.AttachedManagedPolicies),
        permissionsBoundary: user.PermissionsBoundary?.PermissionsBoundaryArn ?? null,
      });
    }
    for (const group of page.GroupDetailList ?? []) {
      result.groups.push({
        name: group.GroupName ?? '',
        arn: group.Arn ?? '',
        groupId: group.GroupId ?? '',
        path: group.Path ?? '/',
        inlinePolicies: toInline(group.GroupPolicyList),
        attachedPolicies: toAttached(group.AttachedManagedPolicies),
        members: [],
      });
    }
    for (const role of page.RoleDetailList ?? []) {
      result.roles.push({
        name: role.RoleName ?? '',
        arn: role.Arn ?? '',
        path: role.Path ?? '/',
        trustPolicy: decodePolicyDocument(role.AssumeRolePolicyDocument),
        inlinePolicies: toInline(role.RolePolicyList),
        attachedPolicies: toAttached(role.AttachedManagedPolicies),
      });
    }
    for (const policy of page.Policies ?? []) result.managedPolicies.push(toManagedPolicy(policy));
  }
  linkGroupMembers(result);
  return result;
}

/** Group membership is only listed on the users; copy it onto the groups. */
function linkGroupMembers(details: AuthorizationDetails): void {
  const byName = new Map(details.groups.map((g) => [g.name, g]));
  for (const user of details.users) {
    for (const groupName of user.groups) byName.get(groupName)?.members.push(user.userName);
  }
  for (const group of details.groups) group.members.sort();
}

function toManagedPolicy(policy: ManagedPolicyDetail): ManagedPolicy {
  const defaultVersion = policy.PolicyVersionList?.find((v) => v.IsDefaultVersion);
  const arn = policy.Arn ?? '';
  return {
    // The name is the ARN's last segment; some emulators leave PolicyName out of this call.
    name: policy.PolicyName ?? arn.slice(arn.lastIndexOf('/') + 1),
    arn,
    path: policy.Path ?? '/',
    attachmentCount: policy.AttachmentCount ?? 0,
    defaultVersionId: policy.DefaultVersionId ?? defaultVersion?.VersionId ?? '',
    document: decodePolicyDocument(defaultVersion?.Document) ?? { Statement: [] },
  };
}

function toInline(list: { PolicyName?: string; PolicyDocument?: string }[] | undefined): InlinePolicy[] {
  return (list ?? []).map((p) => ({
    name: p.PolicyName ?? '',
    document: decodePolicyDocument(p.PolicyDocument) ?? { Statement: [] },
  }));
}

function toAttached(list: AttachedPolicy[] | undefined): AttachedPolicyRef[] {
  return (list ?? []).map((p) => ({ name: p.PolicyName ?? '', arn: p.PolicyArn ?? '' }));
}

function toTags(tags: IamTag[] | undefined): Tag[] {
  return (tags ?? []).map((t) => ({ key: t.Key ?? '', value: t.Value ?? '' }));
}

function toIso(date: Date | undefined): string {
  return date ? date.toISOString() : '';
}
