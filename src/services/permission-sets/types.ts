import type { PolicyDocument } from '../audit/types.js';

/** A permission set as the mapping and the policy files describe it: what it should be. */
export interface DesiredPermissionSet {
  name: string;
  description: string | null;
  /** ISO-8601, PT1H to PT12H. */
  sessionDuration: string;
  /** AWS-managed policy ARNs. */
  managedPolicies: string[];
  customerManagedPolicies: { name: string; path: string }[];
  /** The inline policy (from `inlinePolicyFile`), or null for none. */
  inlinePolicy: PolicyDocument | null;
  /** A permissions boundary: an AWS-managed policy ARN, or a customer-managed policy by name and path. */
  permissionsBoundary: { managedPolicyArn: string } | { customerManagedPolicy: { name: string; path: string } } | null;
  /** Free-form tags for the permission set (e.g. provenance). */
  tags: Record<string, string>;
}

/** A permission set as Identity Center has it now. */
export interface CurrentPermissionSet extends DesiredPermissionSet {
  arn: string;
  /** Accounts the set is provisioned to: a change must be provisioned there again. */
  provisionedAccounts: string[];
}
