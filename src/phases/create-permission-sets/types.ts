import type { PolicyDocument } from '../../model/inventory.js';

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
  /**
   * A permissions boundary: an AWS-managed policy ARN, or a customer-managed policy by name and path;
   * null for none. Undefined when the mapping does not say: whatever boundary the set has is kept.
   */
  permissionsBoundary?: { managedPolicyArn: string } | { customerManagedPolicy: { name: string; path: string } } | null;
  /** Free-form tags for the permission set (e.g. provenance). */
  tags: Record<string, string>;
}

/** A permission set as Identity Center has it now. */
export interface CurrentPermissionSet extends DesiredPermissionSet {
  arn: string;
  /** Accounts the set is provisioned to: a change must be provisioned there again. */
  provisionedAccounts: string[];
  /**
   * Provisioned accounts that do not have the latest version of the set (a provisioning that failed
   * or never ran after a change). Left out when it was not checked.
   */
  outdatedAccounts?: string[];
  /**
   * Parts that Identity Center did not answer for (an endpoint that lacks the API, such as an
   * emulator). They are left out of the comparison rather than guessed.
   */
  unreadable?: UnreadablePart[];
}

/** Parts of a permission set that can be missing from an answer without stopping the read. */
export type UnreadablePart = 'tags' | 'permissionsBoundary';

/** A permissions boundary as the desired and current states hold it. */
export type PermissionsBoundary = NonNullable<DesiredPermissionSet['permissionsBoundary']>;

/** How long the provisioning and conflict waiters poll, in seconds. */
export interface PollingOptions {
  minDelaySeconds: number;
  maxDelaySeconds: number;
  maxWaitSeconds: number;
}
