import {
  CredentialReportExpiredException,
  CredentialReportNotPresentException,
  CredentialReportNotReadyException,
  GenerateCredentialReportCommand,
  GetCredentialReportCommand,
  IAMClient,
  type GetCredentialReportCommandOutput,
} from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { Fault, Interrupted } from '../../../src/errors.js';
import {
  fetchCredentialReport,
  type FetchCredentialReportOptions,
} from '../../../src/phases/audit/fetch-credential-report.js';
import { mockSdkClient } from '../support/aws-mocks.js';

const iamMock = mockSdkClient(IAMClient);
const iam = new IAMClient({ region: 'us-east-1' });

const ACCOUNT = '111111111111';
const NOW = new Date('2024-06-01T12:00:00Z');
const HOUR_MS = 60 * 60 * 1000;

/** Tiny real delays: the waiter takes seconds and accepts fractions. */
const FAST: FetchCredentialReportOptions = {
  now: () => NOW,
  minDelaySeconds: 0.001,
  maxDelaySeconds: 0.005,
  maxWaitSeconds: 2,
};

const HEADER =
  'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,' +
  'mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,' +
  'access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,' +
  'access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,' +
  'cert_2_last_rotated';

function reportCsv(users: string[]): string {
  const root =
    `<root_account>,arn:aws:iam::${ACCOUNT}:root,2020-01-01T00:00:00+00:00,not_supported,2024-01-01T00:00:00+00:00,` +
    'not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A';
  const lines = users.map(
    (user) =>
      `${user},arn:aws:iam::${ACCOUNT}:user/${user},2023-01-10T09:00:00+00:00,true,no_information,` +
      '2023-01-10T09:05:00+00:00,N/A,false,true,2023-01-10T09:10:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A',
  );
  return [HEADER, root, ...lines].join('\n') + '\n';
}

function report(generatedTime: Date, users: string[] = ['alice']): Partial<GetCredentialReportCommandOutput> {
  return {
    Content: new TextEncoder().encode(reportCsv(users)),
    ReportFormat: 'text/csv',
    GeneratedTime: generatedTime,
  };
}

const hoursAgo = (hours: number): Date => new Date(NOW.getTime() - hours * HOUR_MS);
const meta = { $metadata: {} };
const notPresent = (): Error => new CredentialReportNotPresentException({ message: 'not present', ...meta });
const notReady = (): Error => new CredentialReportNotReadyException({ message: 'in progress', ...meta });
const expired = (): Error => new CredentialReportExpiredException({ message: 'expired', ...meta });
const wireError = (name: string): Error => Object.assign(new Error(name), { name });

/** The commands sent, in order, as short labels. */
function callSequence(): string[] {
  return iamMock.calls().map((call) => {
    const command = call.args[0];
    if (command instanceof GetCredentialReportCommand) return 'get';
    if (command instanceof GenerateCredentialReportCommand) return 'generate';
    return 'other';
  });
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('fetchCredentialReport', () => {
  it('Given a report generated an hour ago, When fetched, Then it is reused with exactly one call', async () => {
    iamMock.on(GetCredentialReportCommand).resolves(report(hoursAgo(1), ['alice', 'bob']));

    const result = await fetchCredentialReport(iam, FAST);

    expect(iamMock).toHaveReceivedCommandTimes(GetCredentialReportCommand, 1);
    expect(iamMock.calls()).toHaveLength(1);
    expect(result.reused).toBe(true);
    expect(result.generatedAt).toBe(hoursAgo(1).toISOString());
    expect(result.rows.map((row) => row.user)).toEqual(['alice', 'bob']);
    expect(result.root?.user).toBe('<root_account>');
  });

  it('Given a report generated 5 hours ago, When fetched, Then a new one is generated and returned', async () => {
    iamMock
      .on(GetCredentialReportCommand)
      .resolvesOnce(report(hoursAgo(5), ['old']))
      .resolves(report(NOW, ['alice']));
    iamMock.on(GenerateCredentialReportCommand).resolves({ State: 'COMPLETE' });

    const result = await fetchCredentialReport(iam, FAST);

    expect(callSequence()).toEqual(['get', 'generate', 'get']);
    expect(result.reused).toBe(false);
    expect(result.generatedAt).toBe(NOW.toISOString());
    expect(result.rows.map((row) => row.user)).toEqual(['alice']);
  });

  it('Given a report exactly 4 hours old, When fetched, Then it is regenerated', async () => {
    iamMock.on(GetCredentialReportCommand).resolvesOnce(report(hoursAgo(4))).resolves(report(NOW));
    iamMock.on(GenerateCredentialReportCommand).resolves({ State: 'STARTED' });

    const result = await fetchCredentialReport(iam, FAST);

    expect(callSequence()).toEqual(['get', 'generate', 'get']);
    expect(result.reused).toBe(false);
  });

  it('Given no report, When fetched, Then it generates, polls through ReportInProgress twice, and returns the report', async () => {
    iamMock
      .on(GetCredentialReportCommand)
      .rejectsOnce(notPresent())
      .rejectsOnce(notReady())
      .rejectsOnce(notReady())
      .resolves(report(NOW, ['carol']));
    iamMock.on(GenerateCredentialReportCommand).resolves({ State: 'STARTED' });

    const result = await fetchCredentialReport(iam, FAST);

    expect(callSequence()).toEqual(['get', 'generate', 'get', 'get', 'get']);
    expect(iamMock).toHaveReceivedCommandOnce(GenerateCredentialReportCommand);
    expect(result).toMatchObject({ reused: false, generatedAt: NOW.toISOString() });
    expect(result.rows.map((row) => row.user)).toEqual(['carol']);
  });

  it('Given an expired report, When fetched, Then it generates a new one', async () => {
    iamMock.on(GetCredentialReportCommand).rejectsOnce(expired()).resolves(report(NOW));
    iamMock.on(GenerateCredentialReportCommand).resolves({ State: 'STARTED' });

    const result = await fetchCredentialReport(iam, FAST);

    expect(callSequence()).toEqual(['get', 'generate', 'get']);
    expect(result.reused).toBe(false);
  });

  it.each(['ReportNotPresent', 'ReportExpired'])(
    'Given the API error code %s, When fetched, Then it is treated like the SDK exception',
    async (name) => {
      iamMock
        .on(GetCredentialReportCommand)
        .rejectsOnce(wireError(name))
        .rejectsOnce(wireError('ReportInProgress'))
        .resolves(report(NOW));
      iamMock.on(GenerateCredentialReportCommand).resolves({ State: 'INPROGRESS' });

      const result = await fetchCredentialReport(iam, FAST);

      expect(callSequence()).toEqual(['get', 'generate', 'get', 'get']);
      expect(result.reused).toBe(false);
    },
  );

  it('Given a report already being generated, When fetched, Then it waits for it without generating another', async () => {
    iamMock.on(GetCredentialReportCommand).rejectsOnce(notReady()).resolves(report(NOW));

    const result = await fetchCredentialReport(iam, FAST);

    expect(callSequence()).toEqual(['get', 'get']);
    expect(iamMock).not.toHaveReceivedCommand(GenerateCredentialReportCommand);
    expect(result.reused).toBe(false);
  });

  it('Given a report that stays in progress, When the wait runs out, Then a timeout Fault with a resolution is raised', async () => {
    iamMock.on(GetCredentialReportCommand).rejectsOnce(notPresent()).rejects(notReady());
    iamMock.on(GenerateCredentialReportCommand).resolves({ State: 'STARTED' });

    const error = await rejectionOf(fetchCredentialReport(iam, { ...FAST, maxWaitSeconds: 0.05 }));

    expect(error).toBeInstanceOf(Fault);
    expect(error).toMatchObject({ code: 'CREDENTIAL_REPORT_TIMEOUT' });
    expect((error as Fault).resolution).not.toBe('');
    expect(iamMock.commandCalls(GetCredentialReportCommand).length).toBeGreaterThan(2);
  });

  it('Given AccessDenied on GetCredentialReport, When fetched, Then the error propagates unchanged', async () => {
    const denied = wireError('AccessDenied');
    iamMock.on(GetCredentialReportCommand).rejects(denied);

    const error = await rejectionOf(fetchCredentialReport(iam, FAST));

    expect(error).toBe(denied);
    expect(callSequence()).toEqual(['get']);
  });

  it('Given AccessDenied on GenerateCredentialReport, When fetched, Then the error propagates unchanged', async () => {
    const denied = wireError('AccessDenied');
    iamMock.on(GetCredentialReportCommand).rejects(notPresent());
    iamMock.on(GenerateCredentialReportCommand).rejects(denied);

    const error = await rejectionOf(fetchCredentialReport(iam, FAST));

    expect(error).toBe(denied);
    expect(callSequence()).toEqual(['get', 'generate']);
  });

  it('Given AccessDenied while polling, When fetched, Then the error propagates unchanged', async () => {
    const denied = wireError('AccessDenied');
    iamMock.on(GetCredentialReportCommand).rejectsOnce(notPresent()).rejectsOnce(notReady()).rejects(denied);
    iamMock.on(GenerateCredentialReportCommand).resolves({ State: 'STARTED' });

    const error = await rejectionOf(fetchCredentialReport(iam, FAST));

    expect(error).toBe(denied);
    expect(callSequence()).toEqual(['get', 'generate', 'get', 'get']);
  });

  it('Given a report without content, When fetched, Then an empty-report Fault is raised', async () => {
    iamMock.on(GetCredentialReportCommand).resolves({ GeneratedTime: hoursAgo(1) });

    const error = await rejectionOf(fetchCredentialReport(iam, FAST));

    expect(error).toBeInstanceOf(Fault);
    expect(error).toMatchObject({ code: 'CREDENTIAL_REPORT_EMPTY' });
  });

  it('Given the wait is aborted, When fetched, Then it stops polling with an Interrupted error', async () => {
    const controller = new AbortController();
    iamMock.on(GetCredentialReportCommand).rejectsOnce(notPresent()).callsFake(() => {
      controller.abort();
      return Promise.reject(notReady());
    });
    iamMock.on(GenerateCredentialReportCommand).resolves({ State: 'STARTED' });

    const error = await rejectionOf(fetchCredentialReport(iam, { ...FAST, abortSignal: controller.signal }));

    expect(error).toBeInstanceOf(Interrupted);
    expect(error).toMatchObject({ code: 'CREDENTIAL_REPORT_ABORTED' });
    expect(iamMock.commandCalls(GetCredentialReportCommand)).toHaveLength(2);
  });
});
