import type { PolicyBasis } from './compare-policy-sources.js';
import type { FindingSeverity, PermissionSetSource, PolicyNote, ValidationFinding } from './types.js';

/** What happened to one permission set's policy file on this run. */
export type PolicyFileOutcome = 'written' | 'unchanged' | 'kept-operator-edit' | 'none';

export interface ComparisonSummary {
  granted: number;
  used: number;
  proposed: number;
  grantedButUnused: string[];
  usedButNotGranted: string[];
  invisibleKept: string[];
  /** IAM users whose activity was analysed, and those whose generation did not finish. */
  usersAnalysed: string[];
  usersMissing: string[];
}

/** The outcome for one permission set: what it will carry, whether it is ready, and why not. */
export interface PolicySetResult {
  name: string;
  source: PermissionSetSource;
  basis: PolicyBasis;
  managedPolicies: string[];
  customerManagedPolicies: { name: string; path: string }[];
  /** The boundary to set, from its people's IAM users; undefined leaves mapping.yaml's as it is. */
  permissionsBoundary?: { managedPolicyArn: string } | { customerManagedPolicy: { name: string; path: string } } | null;
  inlinePolicyFile: string | null;
  inlinePolicyChars: number;
  /** Customer-managed policies the operator must create in every target account before provisioning. */
  overflowFiles: string[];
  notes: PolicyNote[];
  validation: {
    byAccessAnalyzer: boolean;
    counts: Record<FindingSeverity, number>;
    findings: ValidationFinding[];
  };
  /** No validation error and no packing error: `create-permission-sets` may use it. */
  ready: boolean;
  file: PolicyFileOutcome;
  comparison: ComparisonSummary | null;
}

export function countFindings(findings: ValidationFinding[]): Record<FindingSeverity, number> {
  const counts: Record<FindingSeverity, number> = { ERROR: 0, SECURITY_WARNING: 0, WARNING: 0, SUGGESTION: 0 };
  for (const finding of findings) counts[finding.severity] += 1;
  return counts;
}
