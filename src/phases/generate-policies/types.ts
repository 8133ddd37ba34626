import type { PolicyDocument } from '../../model/inventory.js';

/** The limits of a permission set (IAM Identity Center quotas). */
export const PERMISSION_SET_LIMITS = {
  /** Non-whitespace characters of the one inline policy. */
  inlinePolicyChars: 10_240,
  /** AWS-managed plus customer-managed policy attachments. */
  attachments: 20,
  /** The default quota of managed policies per role in the target accounts; above it, provisioning fails there. */
  roleManagedPolicyQuota: 10,
} as const;

/** Where a permission set's permissions come from in IAM. */
export type PermissionSetSource = { kind: 'group'; name: string } | { kind: 'user'; name: string };

/** A policy document found on the source, and where it was found (for provenance in reports). */
export interface SourceDocument {
  /** e.g. `group Developers inline s3-read`, `user bob managed arn:aws:iam::111111111111:policy/team-s3`. */
  origin: string;
  document: PolicyDocument;
}

export interface CustomerManagedSource {
  name: string;
  path: string;
  arn: string;
  document: PolicyDocument;
}

/** Everything IAM grants a permission set's source, straight from the audit snapshot. */
export interface SourcePolicies {
  permissionSet: string;
  source: PermissionSetSource;
  awsManagedPolicyArns: string[];
  customerManaged: CustomerManagedSource[];
  inline: SourceDocument[];
}

export interface PackingOptions {
  /**
   * True when every customer-managed policy is known to exist (same name and path) in every target
   * account, so that it can be referenced instead of inlined.
   */
  customerManagedAvailable: boolean;
}

export type NoteSeverity = 'info' | 'warning' | 'error';

/** Something the operator should know about a generated permission set. Codes are stable. */
export interface PolicyNote {
  code: string;
  severity: NoteSeverity;
  message: string;
}

/** A customer-managed policy the tool could not fit inline, which the operator must create in every target account. */
export interface OverflowPolicy {
  name: string;
  path: string;
  document: PolicyDocument;
}

/** What a permission set will carry once packed within the limits. */
export interface PackedPermissionSet {
  permissionSet: string;
  managedPolicies: string[];
  customerManagedPolicies: { name: string; path: string }[];
  /** The single inline policy, or null when nothing needs to be inline. */
  inlinePolicy: PolicyDocument | null;
  overflowPolicies: OverflowPolicy[];
  notes: PolicyNote[];
}

export type FindingSeverity = 'ERROR' | 'SECURITY_WARNING' | 'WARNING' | 'SUGGESTION';

/** One finding of a policy check, from Access Analyzer or from the local checks. */
export interface ValidationFinding {
  severity: FindingSeverity;
  code: string;
  message: string;
  /** Where in the document, e.g. `Statement[0].Action[2]`, when known. */
  location: string | null;
  /** `access-analyzer` or `local`. */
  source: 'access-analyzer' | 'local';
}

export interface ValidationResult {
  /** Whether Access Analyzer checked it; false means only the local checks ran. */
  byAccessAnalyzer: boolean;
  findings: ValidationFinding[];
}
