/**
 * The IAM permissions each phase needs, for a least-privilege policy of the tool itself. One table,
 * read by `iam2idc required-permissions` and checked against docs/permissions.md and the IAM action
 * database by the tests, so that the documentation cannot drift from the code.
 */
import type { PolicyDocument } from './inventory.js';

export const PHASES = ['audit', 'generate-policies', 'create-permission-sets', 'assign', 'verify', 'watch-denied', 'disable', 'enable', 'cleanup', 'restore', 'status'] as const;
export type Phase = (typeof PHASES)[number];

export interface PhasePermissions {
  phase: Phase;
  /** Why the phase needs them, in one line. */
  purpose: string;
  required: string[];
  /** Used when allowed; without them the phase still runs and says what it could not do. */
  optional: string[];
}

const CALLER = ['sts:GetCallerIdentity'];

export const REQUIRED_PERMISSIONS: readonly PhasePermissions[] = [
  {
    phase: 'audit',
    purpose: 'read the IAM inventory and the credential report (read-only)',
    required: [...CALLER, 'iam:GetAccountAuthorizationDetails'],
    optional: ['iam:GenerateCredentialReport', 'iam:GetCredentialReport', 'iam:ListAccountAliases', 'iam:GetAccountSummary', 'iam:ListVirtualMFADevices', 'sso:ListInstances', 'iam:GetPolicy', 'iam:GetPolicyVersion'],
  },
  {
    phase: 'generate-policies',
    purpose: 'validate the permission set policies, and with --from-activity generate them from CloudTrail',
    required: [...CALLER],
    optional: [
      'access-analyzer:ValidatePolicy',
      'access-analyzer:StartPolicyGeneration',
      'access-analyzer:GetGeneratedPolicy',
      'cloudtrail:DescribeTrails',
      'cloudtrail:GetEventSelectors',
      'iam:PassRole',
      'iam:GetPolicy',
      'iam:GetPolicyVersion',
    ],
  },
  {
    phase: 'create-permission-sets',
    purpose: 'create, update and provision the permission sets',
    required: [
      ...CALLER,
      'sso:ListInstances',
      'sso:ListPermissionSets',
      'sso:DescribePermissionSet',
      'sso:ListManagedPoliciesInPermissionSet',
      'sso:ListCustomerManagedPolicyReferencesInPermissionSet',
      'sso:GetInlinePolicyForPermissionSet',
      'sso:GetPermissionsBoundaryForPermissionSet',
      'sso:ListTagsForResource',
      'sso:ListAccountsForProvisionedPermissionSet',
      'sso:CreatePermissionSet',
      'sso:UpdatePermissionSet',
      'sso:AttachManagedPolicyToPermissionSet',
      'sso:DetachManagedPolicyFromPermissionSet',
      'sso:AttachCustomerManagedPolicyReferenceToPermissionSet',
      'sso:DetachCustomerManagedPolicyReferenceFromPermissionSet',
      'sso:PutInlinePolicyToPermissionSet',
      'sso:DeleteInlinePolicyFromPermissionSet',
      'sso:PutPermissionsBoundaryToPermissionSet',
      'sso:DeletePermissionsBoundaryFromPermissionSet',
      'sso:TagResource',
      'sso:UntagResource',
      'sso:ProvisionPermissionSet',
      'sso:DescribePermissionSetProvisioningStatus',
    ],
    optional: [],
  },
  {
    phase: 'assign',
    purpose: 'create the Identity Center users, groups and memberships, and the account assignments',
    required: [
      ...CALLER,
      'identitystore:GetUserId',
      'identitystore:GetGroupId',
      'identitystore:GetGroupMembershipId',
      'identitystore:ListUsers',
      'identitystore:ListGroupMemberships',
      'identitystore:DescribeUser',
      'identitystore:DescribeGroup',
      'identitystore:CreateUser',
      'identitystore:CreateGroup',
      'identitystore:CreateGroupMembership',
      'sso:ListPermissionSets',
      'sso:DescribePermissionSet',
      'sso:ListAccountAssignments',
      'sso:CreateAccountAssignment',
      'sso:DescribeAccountAssignmentCreationStatus',
    ],
    optional: [
      'sso:DeleteAccountAssignment',
      'sso:DescribeAccountAssignmentDeletionStatus',
      'organizations:ListAccountsForParent',
      'organizations:ListOrganizationalUnitsForParent',
      'organizations:DescribeAccount',
      'iam:GetPolicy',
      'iam:GetPolicyVersion',
    ],
  },
  {
    phase: 'verify',
    purpose: 'compare what each person could do in IAM with what their permission sets allow (read-only)',
    required: [...CALLER],
    optional: ['iam:GetPolicy', 'iam:GetPolicyVersion'],
  },
  {
    phase: 'watch-denied',
    purpose: 'read CloudTrail events from CloudWatch Logs (and with --apply-suggestions, what create-permission-sets needs)',
    required: [...CALLER, 'logs:DescribeLogGroups', 'logs:FilterLogEvents'],
    optional: ['cloudtrail:DescribeTrails', 'logs:StartQuery', 'logs:GetQueryResults', 'logs:StopQuery', 'access-analyzer:ValidatePolicy'],
  },
  {
    phase: 'disable',
    purpose: 'add the deny-all policy and deactivate the access keys of the users that moved',
    required: [
      ...CALLER,
      'iam:GetAccountAuthorizationDetails',
      'iam:GetUser',
      'iam:ListAccessKeys',
      'iam:GetAccessKeyLastUsed',
      'iam:GetUserPolicy',
      'iam:ListAttachedUserPolicies',
      'iam:PutUserPolicy',
      'iam:AttachUserPolicy',
      'iam:UpdateAccessKey',
    ],
    optional: ['iam:GetPolicy', 'iam:GetPolicyVersion'],
  },
  {
    phase: 'enable',
    purpose: 'remove the deny-all policy and reactivate the keys that disable switched off',
    required: [...CALLER, 'iam:GetUser', 'iam:ListAccessKeys', 'iam:GetUserPolicy', 'iam:ListAttachedUserPolicies', 'iam:DeleteUserPolicy', 'iam:DetachUserPolicy', 'iam:UpdateAccessKey'],
    optional: [],
  },
  {
    phase: 'cleanup',
    purpose: 'back up and delete the disabled users completely',
    required: [
      ...CALLER,
      'iam:GetAccountAuthorizationDetails',
      'iam:GetUser',
      'iam:GetUserPolicy',
      'iam:GetLoginProfile',
      'iam:GetSSHPublicKey',
      'iam:ListUserPolicies',
      'iam:ListAttachedUserPolicies',
      'iam:ListGroupsForUser',
      'iam:ListAccessKeys',
      'iam:ListSigningCertificates',
      'iam:ListSSHPublicKeys',
      'iam:ListServiceSpecificCredentials',
      'iam:ListMFADevices',
      'iam:ListVirtualMFADevices',
      'iam:DeleteLoginProfile',
      'iam:DeleteAccessKey',
      'iam:DeleteSigningCertificate',
      'iam:DeleteSSHPublicKey',
      'iam:DeleteServiceSpecificCredential',
      'iam:DeactivateMFADevice',
      'iam:DeleteVirtualMFADevice',
      'iam:DeleteUserPolicy',
      'iam:DetachUserPolicy',
      'iam:RemoveUserFromGroup',
      'iam:DeleteUserPermissionsBoundary',
      'iam:DeleteUser',
    ],
    optional: [],
  },
  {
    phase: 'restore',
    purpose: 're-create deleted users from their backups',
    required: [
      ...CALLER,
      'iam:GetUser',
      'iam:CreateUser',
      'iam:TagUser',
      'iam:GetUserPolicy',
      'iam:PutUserPolicy',
      'iam:ListAttachedUserPolicies',
      'iam:AttachUserPolicy',
      'iam:ListGroupsForUser',
      'iam:AddUserToGroup',
      'iam:ListSSHPublicKeys',
      'iam:GetSSHPublicKey',
      'iam:UploadSSHPublicKey',
      'iam:UpdateSSHPublicKey',
      'iam:ListSigningCertificates',
      'iam:UploadSigningCertificate',
      'iam:UpdateSigningCertificate',
      'iam:PutUserPermissionsBoundary',
    ],
    optional: [],
  },
  {
    phase: 'status',
    purpose: 'show where the migration stands (read-only)',
    required: [...CALLER],
    optional: ['iam:GenerateCredentialReport', 'iam:GetCredentialReport'],
  },
];

/** The permissions of the given phases (all of them by default), merged and sorted. */
export function permissionsFor(phases: readonly Phase[] = PHASES): { required: string[]; optional: string[] } {
  const chosen = REQUIRED_PERMISSIONS.filter((p) => phases.includes(p.phase));
  const required = [...new Set(chosen.flatMap((p) => p.required))].sort();
  const optional = [...new Set(chosen.flatMap((p) => p.optional))].filter((a) => !required.includes(a)).sort();
  return { required, optional };
}

/** A policy for the tool's principal: the required actions, plus the optional ones unless left out. */
export function permissionsPolicy(phases: readonly Phase[] = PHASES, includeOptional = true): PolicyDocument {
  const { required, optional } = permissionsFor(phases);
  const actions = includeOptional ? [...required, ...optional].sort() : required;
  return { Version: '2012-10-17', Statement: [{ Sid: 'Iam2idc', Effect: 'Allow', Action: actions, Resource: '*' }] };
}

/** docs/permissions.md, generated from the table above (a test keeps the committed file equal to it). */
export function renderPermissionsMarkdown(): string {
  const lines = [
    '# Permissions iam2idc needs',
    '',
    'Least privilege for the principal that runs iam2idc, per phase. Print a policy with',
    '`iam2idc required-permissions` (every phase) or `iam2idc required-permissions --phase disable`.',
    'Optional actions are used when allowed; without them the phase still runs and says what it could not do.',
    'This file is generated from `src/model/required-permissions.ts`.',
    '',
  ];
  for (const p of REQUIRED_PERMISSIONS) {
    lines.push(`## ${p.phase}`, '', `To ${p.purpose}.`, '', `Required: ${p.required.map((a) => `\`${a}\``).join(', ')}.`, '');
    if (p.optional.length > 0) lines.push(`Optional: ${p.optional.map((a) => `\`${a}\``).join(', ')}.`, '');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
