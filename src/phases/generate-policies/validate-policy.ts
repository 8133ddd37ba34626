import {
  paginateValidatePolicy,
  type AccessAnalyzerClient,
  type PathElement,
  type ValidatePolicyFinding,
} from '@aws-sdk/client-accessanalyzer';
import { isForeignResponse } from '../../aws/map-aws-error.js';
import { isAccessDenied, isCredentialError } from '../../call-errors.js';
import type { PolicyDocument } from '../../model/inventory.js';
import { checkPolicyLocally } from './check-policy-locally.js';
import type { FindingSeverity, ValidationFinding, ValidationResult } from './types.js';

/** The IAM action the caller needs for remote validation (Access Analyzer's IAM prefix is `access-analyzer`). */
export const VALIDATE_POLICY_ACTION = 'access-analyzer:ValidatePolicy';

/** Why a document was checked locally only. `sticky` skips last for the rest of the run. */
export interface ValidationSkip {
  code: 'ACCESS_ANALYZER_NOT_CONFIGURED' | 'ACCESS_ANALYZER_DENIED' | 'ACCESS_ANALYZER_UNREACHABLE' | 'ACCESS_ANALYZER_FAILED';
  missingAction: typeof VALIDATE_POLICY_ACTION;
  /** The SDK error's name, when an error caused the skip. */
  errorName: string | null;
  /** What is missing, in one sentence. */
  message: string;
  resolution: string;
  sticky: boolean;
}

/** A validation result, with the reason when Access Analyzer did not check the document. */
export interface PolicyValidation extends ValidationResult {
  skipped: ValidationSkip | null;
  /** True only on the result that first met a sticky skip, so that the caller warns once per run. */
  firstSkip: boolean;
}

export type LocalPolicyCheck = (document: unknown, options?: { maxChars?: number }) => Promise<ValidationFinding[]>;

export interface ValidatePolicyOptions {
  /** Character budget the local size check applies (the permission set's inline limit by default). */
  maxChars?: number;
  abortSignal?: AbortSignal;
  /** The local checks; replaceable so that tests decide what they find. */
  checkLocally?: LocalPolicyCheck;
}

/*
 * Names that mean "Access Analyzer cannot be reached from here". UnrecognizedClientException is a
 * credential error elsewhere, but every command proves its credentials with GetCallerIdentity first,
 * so here it means the region does not accept them for this service (an opt-in region, or one without
 * Access Analyzer). Node network failures carry their errno in `code`, not in the name.
 */
const UNREACHABLE_NAMES = new Set([
  'UnrecognizedClientException',
  'EndpointError',
  'TimeoutError',
  'NetworkingError',
  'RequestTimeout',
  'RequestTimeoutException',
]);
const NETWORK_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * Validates identity policies with Access Analyzer and falls back to the local checks when it cannot.
 * It remembers the first denial (or unreachable endpoint) and goes local for every later document,
 * so that 30 permission sets do not make 30 denied calls.
 */
export class PolicyValidator {
  private stickySkip: ValidationSkip | null;
  private skipReported = false;

  constructor(
    private readonly accessAnalyzer: AccessAnalyzerClient | null,
    private readonly options: ValidatePolicyOptions = {},
  ) {
    this.stickySkip = accessAnalyzer === null ? notConfigured() : null;
  }

  /** The reason Access Analyzer is skipped for the rest of the run, if it is. */
  get skip(): ValidationSkip | null {
    return this.stickySkip;
  }

  /**
   * Validates one document as an identity policy. Credential errors and programming errors propagate;
   * every other failure of Access Analyzer becomes a local check with the reason attached.
   */
  async validate(document: PolicyDocument, options: Pick<ValidatePolicyOptions, 'maxChars'> = {}): Promise<PolicyValidation> {
    const maxChars = options.maxChars ?? this.options.maxChars;
    if (this.stickySkip !== null || this.accessAnalyzer === null) {
      return this.checkLocally(document, maxChars, this.stickySkip ?? notConfigured());
    }
    try {
      const findings = await validateRemotely(this.accessAnalyzer, document, this.options.abortSignal);
      return { byAccessAnalyzer: true, findings, skipped: null, firstSkip: false };
    } catch (error) {
      const skip = classifyFailure(error);
      if (skip === null) throw error;
      if (skip.sticky) this.stickySkip = skip;
      return this.checkLocally(document, maxChars, skip);
    }
  }

  private async checkLocally(document: PolicyDocument, maxChars: number | undefined, skip: ValidationSkip): Promise<PolicyValidation> {
    const check = this.options.checkLocally ?? checkPolicyLocally;
    const findings = await check(document, maxChars === undefined ? {} : { maxChars });
    const firstSkip = skip.sticky && !this.skipReported;
    if (firstSkip) this.skipReported = true;
    return { byAccessAnalyzer: false, findings, skipped: skip, firstSkip };
  }
}

/**
 * Validates one identity policy with Access Analyzer `ValidatePolicy`, or locally when it is not
 * available (`accessAnalyzer` null, denied, unreachable). For many documents, use one
 * `PolicyValidator` so that a denial is met only once.
 */
export async function validatePolicy(
  accessAnalyzer: AccessAnalyzerClient | null,
  document: PolicyDocument,
  options: ValidatePolicyOptions = {},
): Promise<PolicyValidation> {
  return new PolicyValidator(accessAnalyzer, options).validate(document);
}

/** Findings by severity, most severe first, every severity present (possibly empty). */
export function groupFindingsBySeverity(findings: ValidationFinding[]): Record<FindingSeverity, ValidationFinding[]> {
  const groups: Record<FindingSeverity, ValidationFinding[]> = { ERROR: [], SECURITY_WARNING: [], WARNING: [], SUGGESTION: [] };
  for (const finding of findings) groups[finding.severity].push(finding);
  return groups;
}

/** Errors keep a permission set from being marked ready; warnings and suggestions do not. */
export function hasBlockingFindings(result: ValidationResult): boolean {
  return result.findings.some((finding) => finding.severity === 'ERROR');
}

async function validateRemotely(accessAnalyzer: AccessAnalyzerClient, document: PolicyDocument, abortSignal?: AbortSignal): Promise<ValidationFinding[]> {
  const findings: ValidationFinding[] = [];
  const pages = paginateValidatePolicy(
    { client: accessAnalyzer },
    { policyDocument: JSON.stringify(document), policyType: 'IDENTITY_POLICY', locale: 'EN' },
    { abortSignal },
  );
  for await (const page of pages) {
    for (const finding of page.findings ?? []) findings.push(toFinding(finding));
  }
  return findings;
}

function toFinding(finding: ValidatePolicyFinding): ValidationFinding {
  return {
    severity: toSeverity(finding.findingType),
    code: finding.issueCode ?? 'UNKNOWN_ISSUE',
    message: finding.findingDetails ?? '',
    location: renderLocation(finding.locations?.[0]?.path),
    source: 'access-analyzer',
  };
}

/** A finding type this SDK does not know yet is kept as a warning: visible, but not blocking. */
function toSeverity(type: string | undefined): FindingSeverity {
  return type === 'ERROR' || type === 'SECURITY_WARNING' || type === 'SUGGESTION' ? type : 'WARNING';
}

/** `[{value:'Statement'},{index:0},{value:'Action'},{index:1}]` → `Statement[0].Action[1]`. */
export function renderLocation(path: PathElement[] | undefined): string | null {
  if (!path || path.length === 0) return null;
  let rendered = '';
  for (const element of path) {
    if (element.index !== undefined) rendered += `[${element.index}]`;
    else if (element.key !== undefined) rendered += rendered ? `.${element.key}` : element.key;
    else if (element.value !== undefined) rendered += rendered ? `.${element.value}` : element.value;
    else if (element.substring !== undefined) {
      const { start = 0, length = 0 } = element.substring;
      rendered += `(characters ${start}-${start + length})`;
    }
  }
  return rendered || null;
}

function classifyFailure(error: unknown): ValidationSkip | null {
  if (!(error instanceof Error) || error.name === 'AbortError') return null;
  if (isCredentialError(error) && error.name !== 'UnrecognizedClientException') return null;
  if (isAccessDenied(error)) {
    return skip('ACCESS_ANALYZER_DENIED', error.name, true, `The caller may not use ${VALIDATE_POLICY_ACTION}.`, `Grant ${VALIDATE_POLICY_ACTION} to validate the policies with IAM Access Analyzer, then re-run.`);
  }
  if (UNREACHABLE_NAMES.has(error.name) || NETWORK_CODES.has(String((error as { code?: unknown }).code)) || isForeignResponse(error)) {
    return skip(
      'ACCESS_ANALYZER_UNREACHABLE',
      error.name,
      true,
      'IAM Access Analyzer cannot be reached in this region with these credentials.',
      `Re-run with --region set to a region where IAM Access Analyzer is available (and enabled for the account), with ${VALIDATE_POLICY_ACTION} allowed.`,
    );
  }
  // A service error after the SDK's retries (throttling, 5xx): this document only, the next may pass.
  if ('$metadata' in error) {
    return skip('ACCESS_ANALYZER_FAILED', error.name, false, `IAM Access Analyzer failed to validate this policy (${error.name}).`, 'Re-run later to validate it with IAM Access Analyzer.');
  }
  return null;
}

function notConfigured(): ValidationSkip {
  return skip('ACCESS_ANALYZER_NOT_CONFIGURED', null, true, 'No IAM Access Analyzer client was given.', `Run with AWS access that allows ${VALIDATE_POLICY_ACTION}.`);
}

function skip(code: ValidationSkip['code'], errorName: string | null, sticky: boolean, message: string, resolution: string): ValidationSkip {
  return { code, missingAction: VALIDATE_POLICY_ACTION, errorName, message, resolution, sticky };
}
