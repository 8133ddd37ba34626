import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SafetyRefusal, UserError } from '../../../src/errors.js';
import { ExitCode } from '../../../src/exit-codes.js';
import { loadPlan, savePlan } from '../../../src/plan/plan-file.js';
import type { Plan } from '../../../src/plan/plan-types.js';
import { deleteAction, FakeAccount, fakeRegistry, planOf, putAction } from './support/fake-account.js';
import { rejectionOf } from './support/plan-harness.js';
import { ACCOUNT_ID } from '../support/builders.js';

const COMMAND = 'fake-command';
const EXPECTED = { command: COMMAND, accountId: ACCOUNT_ID, kinds: fakeRegistry(new FakeAccount()).kinds() };

let root: string;
let file: string;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'iam2idc-plan-file-'));
  file = path.join(root, 'plan.json');
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const samplePlan = (): Plan =>
  planOf([
    putAction('a', { fingerprint: 'fp-a' }),
    deleteAction('b', { dependsOn: ['a'], risk: 'irreversible', principal: { userName: 'alice', userId: 'AIDAEXAMPLE0000000001' } }),
  ]);

async function writePlanJson(value: unknown): Promise<void> {
  await writeFile(file, typeof value === 'string' ? value : JSON.stringify(value));
}

async function expectUserError(code: string): Promise<void> {
  const error = await rejectionOf(loadPlan(file, EXPECTED));
  expect(error).toBeInstanceOf(UserError);
  expect(error).toMatchObject({ code, exitCode: ExitCode.UsageError });
}

describe('Saving and loading a plan', () => {
  it('Given a saved plan, When it is loaded for the same command and account, Then it is the same plan, in a 0600 file', async () => {
    const saved = await savePlan(file, samplePlan());
    expect(saved).toBe(path.resolve(file));
    expect((await stat(saved)).mode & 0o777).toBe(0o600);
    expect(await loadPlan(saved, EXPECTED)).toEqual(samplePlan());
  });

  it('Given a plan for another account, When it is loaded, Then it is a safety refusal', async () => {
    await savePlan(file, { ...samplePlan(), accountId: '222222222222' });
    const error = await rejectionOf(loadPlan(file, EXPECTED));
    expect(error).toBeInstanceOf(SafetyRefusal);
    expect(error).toMatchObject({ code: 'PLAN_WRONG_ACCOUNT', exitCode: ExitCode.SafetyRefusal });
  });

  it('Given a plan made by another command, When it is loaded, Then it is a usage error', async () => {
    await savePlan(file, { ...samplePlan(), command: 'cleanup' });
    await expectUserError('PLAN_WRONG_COMMAND');
  });

  it.each([
    ['truncated JSON', () => JSON.stringify(samplePlan()).slice(0, 60)],
    ['an empty file', () => ''],
    ['a JSON array', () => []],
    ['another version', () => ({ ...samplePlan(), version: 2 })],
    ['an account ID that is not 12 digits', () => ({ ...samplePlan(), accountId: '1111' })],
    ['an unknown top-level key', () => ({ ...samplePlan(), extra: true })],
    ['an unknown risk', () => ({ ...samplePlan(), actions: [{ ...putAction('a'), risk: 'harmless' }] })],
    ['an action without an id', () => ({ ...samplePlan(), actions: [{ ...putAction('a'), id: '' }] })],
    ['an action with a wrong type', () => ({ ...samplePlan(), actions: [{ ...putAction('a'), dependsOn: 'b' }] })],
    ['an unknown action key', () => ({ ...samplePlan(), actions: [{ ...putAction('a'), run: 'rm -rf /' }] })],
    ['a bad creation date', () => ({ ...samplePlan(), createdAt: 'yesterday' })],
  ])('Given %s, When it is loaded, Then it is an invalid plan file', async (_label, content) => {
    await writePlanJson(content());
    await expectUserError('PLAN_FILE_INVALID');
  });

  it('Given a missing file, When it is loaded, Then it is an invalid plan file', async () => {
    await expectUserError('PLAN_FILE_INVALID');
  });

  it('Given two actions with the same id, When it is loaded, Then it is an invalid plan file', async () => {
    await writePlanJson(planOf([putAction('a'), putAction('a', { value: 'other' })]));
    await expectUserError('PLAN_FILE_INVALID');
  });

  it('Given an action depending on one the plan does not have, When it is loaded, Then it is an invalid plan file', async () => {
    await writePlanJson(planOf([putAction('a', { dependsOn: ['ghost'] })]));
    await expectUserError('PLAN_FILE_INVALID');
  });

  it.each([
    ['an action depending on itself', () => planOf([putAction('a', { dependsOn: ['a'] })])],
    ['two actions depending on each other', () => planOf([putAction('a', { dependsOn: ['b'] }), putAction('b', { dependsOn: ['a'] })])],
    ['a longer cycle', () => planOf([putAction('a'), putAction('b', { dependsOn: ['a', 'd'] }), putAction('c', { dependsOn: ['b'] }), putAction('d', { dependsOn: ['c'] })])],
  ])('Given %s, When it is loaded, Then it is an invalid plan file (it could never finish)', async (_label, plan) => {
    await writePlanJson(plan());
    await expectUserError('PLAN_FILE_INVALID');
  });

  it('Given a plan that is invalid and for another account, When it is loaded, Then the file is reported first', async () => {
    await writePlanJson({ ...planOf([putAction('a', { dependsOn: ['ghost'] })]), accountId: '222222222222' });
    await expectUserError('PLAN_FILE_INVALID');
  });

  it('Given a saved plan, When it is read as text, Then it is pretty JSON ending with a newline', async () => {
    await savePlan(file, samplePlan());
    const text = await readFile(file, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(JSON.parse(text)).toEqual({ ...samplePlan(), digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
  });
});
