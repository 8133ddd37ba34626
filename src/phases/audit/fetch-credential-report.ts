import {
  GenerateCredentialReportCommand,
  GetCredentialReportCommand,
  type GetCredentialReportCommandOutput,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { createWaiter, WaiterState } from '@smithy/util-waiter';
import { Fault, Iam2idcError, Interrupted } from '../../errors.js';
import { parseCredentialReport, type ParsedCredentialReport } from './parse-credential-report.js';

/** IAM regenerates a credential report at most every 4 hours; a younger one is what a new request would return. */
export const CREDENTIAL_REPORT_MAX_AGE_MS = 4 * 60 * 60 * 1000;

const DEFAULT_MAX_WAIT_SECONDS = 180;
const DEFAULT_MIN_DELAY_SECONDS = 2;
const DEFAULT_MAX_DELAY_SECONDS = 15;

/*
 * The wire codes (`ReportNotPresent`, ...) are what the IAM API documents; current SDK versions
 * surface them as the modelled exception classes instead. Accept both so an SDK upgrade (or a
 * hand-built error) cannot turn a routine "not generated yet" into an audit gap.
 */
const NOT_PRESENT = new Set(['ReportNotPresent', 'CredentialReportNotPresentException']);
const EXPIRED = new Set(['ReportExpired', 'CredentialReportExpiredException']);
const IN_PROGRESS = new Set(['ReportInProgress', 'CredentialReportNotReadyException']);

export interface FetchCredentialReportOptions {
  /** The clock used to judge the report's age. */
  now?: () => Date;
  /** How long to wait for a report that is being generated before giving up. */
  maxWaitSeconds?: number;
  /** Floor of the jittered exponential backoff between polls (fractions allowed). */
  minDelaySeconds?: number;
  /** Ceiling of the jittered exponential backoff between polls (fractions allowed). */
  maxDelaySeconds?: number;
  /** Stops waiting (and any request in flight) when aborted. */
  abortSignal?: AbortSignal;
}

export interface FetchCredentialReportResult extends ParsedCredentialReport {
  /** When IAM generated the report (ISO-8601). */
  generatedAt: string;
  /** true when an existing report younger than 4 hours was used as is. */
  reused: boolean;
}

type IamSender = Pick<IAMClient, 'send'>;

/**
 * Reads the account's credential report: reuses one younger than 4 hours, otherwise asks IAM to
 * generate one and polls until it is ready.
 *
 * Errors other than "no report yet / expired / in progress" (AccessDenied, throttling after the
 * SDK's retries, ...) propagate unchanged so the caller can report them as a gap.
 *
 * @throws Fault `CREDENTIAL_REPORT_TIMEOUT` when the report is not ready within `maxWaitSeconds`;
 *   `CREDENTIAL_REPORT_EMPTY` when IAM returns no content; the parser's Faults for a bad CSV.
 * @throws Interrupted `CREDENTIAL_REPORT_ABORTED` when `abortSignal` fires while waiting.
 */
export async function fetchCredentialReport(
  iam: IamSender,
  options: FetchCredentialReportOptions = {},
): Promise<FetchCredentialReportResult> {
  try {
    return await fetchOrGenerate(iam, options);
  } catch (error) {
    // An aborted request rejects with the SDK's AbortError; the caller must see an interruption, not a gap.
    if (options.abortSignal?.aborted === true && !(error instanceof Iam2idcError)) {
      throw interrupted(error);
    }
    throw error;
  }
}

async function fetchOrGenerate(
  iam: IamSender,
  options: FetchCredentialReportOptions,
): Promise<FetchCredentialReportResult> {
  const now = options.now ?? (() => new Date());
  const { abortSignal } = options;

  let needsGeneration = true;
  let existing: GetCredentialReportCommandOutput | undefined;
  try {
    existing = await iam.send(new GetCredentialReportCommand({}), { abortSignal });
  } catch (error) {
    const name = errorName(error);
    if (name !== undefined && IN_PROGRESS.has(name)) {
      // Someone else's generation is already running: wait for it rather than start another.
      needsGeneration = false;
    } else if (name === undefined || !(NOT_PRESENT.has(name) || EXPIRED.has(name))) {
      throw error;
    }
  }
  if (existing !== undefined && isFresh(existing.GeneratedTime, now())) {
    return toResult(existing, true, now);
  }

  if (needsGeneration) {
    // The State it answers (STARTED / INPROGRESS / COMPLETE) needs no branch: the first poll runs at
    // once, and a COMPLETE report is simply returned by it.
    await iam.send(new GenerateCredentialReportCommand({}), { abortSignal });
  }
  const report = await waitForReport(iam, options);
  return toResult(report, false, now);
}

async function waitForReport(
  iam: IamSender,
  options: FetchCredentialReportOptions,
): Promise<GetCredentialReportCommandOutput> {
  const maxWaitTime = options.maxWaitSeconds ?? DEFAULT_MAX_WAIT_SECONDS;
  let report: GetCredentialReportCommandOutput | undefined;

  const result = await createWaiter(
    {
      client: iam,
      maxWaitTime,
      minDelay: options.minDelaySeconds ?? DEFAULT_MIN_DELAY_SECONDS,
      maxDelay: options.maxDelaySeconds ?? DEFAULT_MAX_DELAY_SECONDS,
      abortSignal: options.abortSignal,
    },
    {},
    async (client) => {
      try {
        report = await client.send(new GetCredentialReportCommand({}), { abortSignal: options.abortSignal });
        return { state: WaiterState.SUCCESS };
      } catch (error) {
        const name = errorName(error);
        // ReportNotPresent right after GenerateCredentialReport is the generation not being visible yet.
        if (name !== undefined && (IN_PROGRESS.has(name) || NOT_PRESENT.has(name))) {
          return { state: WaiterState.RETRY, reason: error };
        }
        throw error;
      }
    },
  );

  if (result.state === WaiterState.SUCCESS && report !== undefined) {
    return report;
  }
  if (result.state === WaiterState.ABORTED) {
    throw interrupted(undefined);
  }
  throw new Fault(
    'CREDENTIAL_REPORT_TIMEOUT',
    `The IAM credential report was not ready after ${maxWaitTime} seconds.`,
    'Try again in a minute: IAM finishes the report in the background and the next run will pick it up.',
  );
}

function interrupted(cause: unknown): Interrupted {
  return new Interrupted(
    'CREDENTIAL_REPORT_ABORTED',
    'Stopped waiting for the IAM credential report.',
    'Run the audit again; IAM keeps generating the report in the background.',
    { cause },
  );
}

function toResult(
  output: GetCredentialReportCommandOutput,
  reused: boolean,
  now: () => Date,
): FetchCredentialReportResult {
  if (output.Content === undefined || output.Content.length === 0) {
    throw new Fault(
      'CREDENTIAL_REPORT_EMPTY',
      'IAM returned a credential report without content.',
      'Run the audit again; if this persists, check the report with `aws iam get-credential-report`.',
    );
  }
  // The SDK has already decoded the base64 on the wire; what remains is the UTF-8 CSV.
  const csv = new TextDecoder('utf-8').decode(output.Content);
  const generatedAt = validDate(output.GeneratedTime)?.toISOString() ?? now().toISOString();
  return { generatedAt, reused, ...parseCredentialReport(csv) };
}

/** A report without a readable GeneratedTime cannot be shown to be fresh, so it is regenerated. */
function isFresh(generatedTime: Date | undefined, now: Date): boolean {
  const generated = validDate(generatedTime);
  if (generated === undefined) return false;
  return now.getTime() - generated.getTime() < CREDENTIAL_REPORT_MAX_AGE_MS;
}

function validDate(value: Date | undefined): Date | undefined {
  return value instanceof Date && !Number.isNaN(value.getTime()) ? value : undefined;
}

function errorName(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'name' in error && typeof error.name === 'string') {
    return error.name;
  }
  return undefined;
}
