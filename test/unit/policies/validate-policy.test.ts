import { ValidatePolicyCommand, type ValidatePolicyFinding } from '@aws-sdk/client-accessanalyzer';
import { describe, expect, it, vi } from 'vitest';
import type { PolicyDocument } from '../../../src/model/inventory.js';
import type { ValidationFinding } from '../../../src/phases/generate-policies/types.js';
import {
  groupFindingsBySeverity,
  hasBlockingFindings,
  PolicyValidator,
  renderLocation,
  validatePolicy,
  VALIDATE_POLICY_ACTION,
} from '../../../src/phases/generate-policies/validate-policy.js';
import { awsError, mockAws } from '../support/aws-mocks.js';

const { mocks, clients } = mockAws();

const DOCUMENT: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:ListAllMyBucket'], Resource: '*' }],
};

const LOCAL_FINDING: ValidationFinding = { severity: 'ERROR', code: 'UNKNOWN_ACTION', message: 'no such action', location: 'Statement[0].Action[1]', source: 'local' };

function finding(findingType: ValidatePolicyFinding['findingType'], issueCode: string, path: ValidatePolicyFinding['locations'] = []): ValidatePolicyFinding {
  return { findingType, issueCode, findingDetails: `${issueCode} details`, learnMoreLink: 'https://example.invalid', locations: path };
}

const atAction = (statement: number, action: number) => [
  { path: [{ value: 'Statement' }, { index: statement }, { value: 'Action' }, { index: action }], span: { start: { line: 1, column: 1, offset: 1 }, end: { line: 1, column: 2, offset: 2 } } },
];

function localStub() {
  return vi.fn(async () => [LOCAL_FINDING]);
}

describe('validatePolicy', () => {
  it('Given Access Analyzer answers with findings, When a document is validated, Then each is mapped with severity, code, message and location', async () => {
    mocks.accessAnalyzer.on(ValidatePolicyCommand).resolves({
      findings: [finding('ERROR', 'INVALID_ACTION', atAction(0, 1)), finding('SUGGESTION', 'EMPTY_ARRAY_ACTION')],
    });

    const result = await validatePolicy(clients.accessAnalyzer, DOCUMENT, { checkLocally: localStub() });

    expect(result.byAccessAnalyzer).toBe(true);
    expect(result.skipped).toBeNull();
    expect(result.findings).toEqual([
      { severity: 'ERROR', code: 'INVALID_ACTION', message: 'INVALID_ACTION details', location: 'Statement[0].Action[1]', source: 'access-analyzer' },
      { severity: 'SUGGESTION', code: 'EMPTY_ARRAY_ACTION', message: 'EMPTY_ARRAY_ACTION details', location: null, source: 'access-analyzer' },
    ]);
    expect(mocks.accessAnalyzer).toHaveReceivedCommandWith(ValidatePolicyCommand, {
      policyType: 'IDENTITY_POLICY',
      policyDocument: JSON.stringify(DOCUMENT),
    });
  });

  it('Given findings on two pages, When validated, Then the paginator follows nextToken and keeps every finding', async () => {
    mocks.accessAnalyzer
      .on(ValidatePolicyCommand)
      .resolvesOnce({ findings: [finding('WARNING', 'A')], nextToken: 'page-2' })
      .resolvesOnce({ findings: [finding('SECURITY_WARNING', 'B')] });

    const result = await validatePolicy(clients.accessAnalyzer, DOCUMENT);

    expect(result.findings.map((f) => f.code)).toEqual(['A', 'B']);
    expect(mocks.accessAnalyzer).toHaveReceivedCommandTimes(ValidatePolicyCommand, 2);
    expect(mocks.accessAnalyzer.commandCalls(ValidatePolicyCommand)[1].args[0].input.nextToken).toBe('page-2');
  });

  it('Given findings of every severity, When grouped, Then each severity holds its own and errors block readiness', async () => {
    mocks.accessAnalyzer.on(ValidatePolicyCommand).resolves({
      findings: [finding('SUGGESTION', 'S1'), finding('ERROR', 'E1'), finding('SECURITY_WARNING', 'SW1'), finding('WARNING', 'W1'), finding('ERROR', 'E2')],
    });

    const result = await validatePolicy(clients.accessAnalyzer, DOCUMENT);
    const groups = groupFindingsBySeverity(result.findings);

    expect(Object.fromEntries(Object.entries(groups).map(([severity, list]) => [severity, list.map((f) => f.code)]))).toEqual({
      ERROR: ['E1', 'E2'],
      SECURITY_WARNING: ['SW1'],
      WARNING: ['W1'],
      SUGGESTION: ['S1'],
    });
    expect(hasBlockingFindings(result)).toBe(true);
    expect(hasBlockingFindings({ byAccessAnalyzer: true, findings: groups.WARNING })).toBe(false);
  });

  it('Given AccessDenied, When many documents are validated with one validator, Then Access Analyzer is called once, all are checked locally, and the skip is flagged once', async () => {
    mocks.accessAnalyzer.on(ValidatePolicyCommand).rejects(awsError('AccessDeniedException'));
    const checkLocally = localStub();
    const validator = new PolicyValidator(clients.accessAnalyzer, { checkLocally, maxChars: 10_240 });

    const results = [];
    for (let i = 0; i < 5; i += 1) results.push(await validator.validate(DOCUMENT));

    expect(mocks.accessAnalyzer).toHaveReceivedCommandTimes(ValidatePolicyCommand, 1);
    expect(checkLocally).toHaveBeenCalledTimes(5);
    expect(checkLocally).toHaveBeenCalledWith(DOCUMENT, { maxChars: 10_240 });
    expect(results.every((r) => !r.byAccessAnalyzer && r.findings[0] === LOCAL_FINDING)).toBe(true);
    expect(results.map((r) => r.firstSkip)).toEqual([true, false, false, false, false]);
    expect(results[0].skipped).toMatchObject({ code: 'ACCESS_ANALYZER_DENIED', missingAction: VALIDATE_POLICY_ACTION, errorName: 'AccessDeniedException' });
    expect(validator.skip?.code).toBe('ACCESS_ANALYZER_DENIED');
  });

  it.each([
    ['an unrecognized client in a region without the service', awsError('UnrecognizedClientException')],
    ['an unresolvable endpoint', Object.assign(new Error('getaddrinfo'), { code: 'ENOTFOUND' })],
    ['a request timeout', Object.assign(new Error('timeout'), { name: 'TimeoutError' })],
  ])('Given %s, When validated, Then it falls back to the local checks for the rest of the run', async (_, error) => {
    mocks.accessAnalyzer.on(ValidatePolicyCommand).rejects(error);
    const validator = new PolicyValidator(clients.accessAnalyzer, { checkLocally: localStub() });

    const first = await validator.validate(DOCUMENT);
    const second = await validator.validate(DOCUMENT);

    expect(first).toMatchObject({ byAccessAnalyzer: false, firstSkip: true, skipped: { code: 'ACCESS_ANALYZER_UNREACHABLE' } });
    expect(second).toMatchObject({ byAccessAnalyzer: false, firstSkip: false });
    expect(mocks.accessAnalyzer).toHaveReceivedCommandTimes(ValidatePolicyCommand, 1);
  });

  it('Given a throttling error that outlasted retries, When two documents are validated, Then only that one is checked locally and the next goes to Access Analyzer', async () => {
    mocks.accessAnalyzer.on(ValidatePolicyCommand).rejectsOnce(awsError('ThrottlingException')).resolves({ findings: [] });
    const validator = new PolicyValidator(clients.accessAnalyzer, { checkLocally: localStub() });

    const first = await validator.validate(DOCUMENT);
    const second = await validator.validate(DOCUMENT);

    expect(first).toMatchObject({ byAccessAnalyzer: false, firstSkip: false, skipped: { code: 'ACCESS_ANALYZER_FAILED', errorName: 'ThrottlingException' } });
    expect(second).toMatchObject({ byAccessAnalyzer: true, findings: [], skipped: null });
    expect(validator.skip).toBeNull();
  });

  it('Given something other than Access Analyzer answers (404, unparsable body), When many documents are validated, Then it is asked once and the rest go local', async () => {
    const notFound = Object.assign(awsError('UnknownError'), { $metadata: { httpStatusCode: 404 } });
    for (const failure of [notFound, Object.assign(new SyntaxError('Unexpected token <'), { $metadata: {} })]) {
      mocks.accessAnalyzer.reset();
      mocks.accessAnalyzer.on(ValidatePolicyCommand).rejects(failure);
      const validator = new PolicyValidator(clients.accessAnalyzer, { checkLocally: localStub() });

      const results = [await validator.validate(DOCUMENT), await validator.validate(DOCUMENT)];

      expect(mocks.accessAnalyzer).toHaveReceivedCommandTimes(ValidatePolicyCommand, 1);
      expect(results.map((r) => r.skipped?.code)).toEqual(['ACCESS_ANALYZER_UNREACHABLE', 'ACCESS_ANALYZER_UNREACHABLE']);
      expect(results.filter((r) => r.firstSkip)).toHaveLength(1);
    }
  });

  it('Given expired credentials, When validated, Then the error propagates instead of a silent local check', async () => {
    mocks.accessAnalyzer.on(ValidatePolicyCommand).rejects(awsError('ExpiredTokenException'));
    const checkLocally = localStub();

    await expect(validatePolicy(clients.accessAnalyzer, DOCUMENT, { checkLocally })).rejects.toMatchObject({ name: 'ExpiredTokenException' });
    expect(checkLocally).not.toHaveBeenCalled();
  });

  it('Given no Access Analyzer client, When validated, Then only the local checks run and the reason is given', async () => {
    const result = await validatePolicy(null, DOCUMENT, { checkLocally: localStub() });

    expect(result).toMatchObject({ byAccessAnalyzer: false, firstSkip: true, skipped: { code: 'ACCESS_ANALYZER_NOT_CONFIGURED' } });
    expect(mocks.accessAnalyzer.calls()).toHaveLength(0);
  });

  it('Given the real local checks, When Access Analyzer is denied, Then their findings carry the local source', async () => {
    mocks.accessAnalyzer.on(ValidatePolicyCommand).rejects(awsError('AccessDeniedException'));

    const result = await validatePolicy(clients.accessAnalyzer, { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'nosuchservice:DoIt', Resource: '*' }] });

    expect(result.byAccessAnalyzer).toBe(false);
    expect(result.findings.length).toBeGreaterThan(0);
    expect(result.findings.every((f) => f.source === 'local')).toBe(true);
  });
});

describe('renderLocation', () => {
  it('Given key, index and substring elements, When rendered, Then they read like a path into the document', () => {
    expect(renderLocation([{ value: 'Statement' }, { index: 2 }, { key: 'Condition' }, { value: 'StringEquals' }])).toBe('Statement[2].Condition.StringEquals');
    expect(renderLocation([{ value: 'Statement' }, { index: 0 }, { value: 'Resource' }, { substring: { start: 3, length: 4 } }])).toBe(
      'Statement[0].Resource(characters 3-7)',
    );
    expect(renderLocation([])).toBeNull();
  });
});
