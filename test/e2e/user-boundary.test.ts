import {
  CreatePolicyCommand,
  CreateUserCommand,
  DeleteUserPermissionsBoundaryCommand,
  GetAccountAuthorizationDetailsCommand,
  GetUserCommand,
  ListUsersCommand,
  PutUserPermissionsBoundaryCommand,
} from '@aws-sdk/client-iam';
import type { IAMClient } from '@aws-sdk/client-iam';
import { describe, expect, inject, it } from 'vitest';
import type { AuditSnapshot } from '../../src/model/inventory.js';
import type { EmulatorClients } from './support/aws-clients.js';
import { runCli } from './support/run-cli.js';
import { useEmulatorSandbox } from './support/sandbox.js';
import { allow, doc } from './support/seed-helpers.js';
import { readWorkspaceJson } from './support/workspace-files.js';

const endpoint = inject('motoEndpoint');

/** What IAM says a user's boundary is, through GetUser and through GetAccountAuthorizationDetails. */
async function boundaryInIam(iam: IAMClient, userName: string): Promise<{ getUser: unknown; authorizationDetails: unknown }> {
  const { User } = await iam.send(new GetUserCommand({ UserName: userName }));
  const details = await iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['User'] }));
  const detail = details.UserDetailList?.find((u) => u.UserName === userName);
  expect(detail, `${userName} in GetAccountAuthorizationDetails`).toBeDefined();
  return { getUser: User?.PermissionsBoundary ?? null, authorizationDetails: detail?.PermissionsBoundary ?? null };
}

const asBoundary = (arn: string) => ({ PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: arn });

/** The error code of a call that must fail, or a failure of the test if it succeeds. */
async function errorName(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    return (error as Error).name;
  }
  throw new Error('the call succeeded');
}

/**
 * IAM user permissions boundaries, which the emulator keeps only through the launcher's mend: IAM must
 * return what was put, refuse what AWS refuses, and audit must carry the boundary into audit.json.
 */
describe.skipIf(endpoint === null)('IAM user permissions boundaries', () => {
  const motoEndpoint = endpoint ?? '';
  let clients: EmulatorClients;
  let workspace: string;
  useEmulatorSandbox(motoEndpoint, (sandbox) => {
    ({ clients, workspace } = sandbox);
  });

  const audit = async (): Promise<AuditSnapshot> => {
    const run = await runCli(['audit', '-w', workspace, '-o', 'json'], { endpoint: motoEndpoint });
    expect(run.code, run.stderr).toBe(0);
    return readWorkspaceJson<AuditSnapshot>(workspace, 'audit.json');
  };
  const boundariesInAudit = async (): Promise<Record<string, string | null>> =>
    Object.fromEntries((await audit()).users.map((u) => [u.userName, u.permissionsBoundary]));

  async function createBoundaryPolicy(): Promise<string> {
    const created = await clients.iam.send(
      new CreatePolicyCommand({ PolicyName: 'team-boundary', Path: '/boundaries/', PolicyDocument: JSON.stringify(doc(allow(['s3:*']))) }),
    );
    return created.Policy!.Arn!;
  }

  it('returns a boundary put on a user from GetUser, GetAccountAuthorizationDetails and audit, until it is deleted', async () => {
    const { iam } = clients;
    const boundary = await createBoundaryPolicy();
    await iam.send(new CreateUserCommand({ UserName: 'kim.bounded' }));
    await iam.send(new CreateUserCommand({ UserName: 'lee.free' }));
    expect(await boundaryInIam(iam, 'kim.bounded')).toEqual({ getUser: null, authorizationDetails: null });

    await iam.send(new PutUserPermissionsBoundaryCommand({ UserName: 'kim.bounded', PermissionsBoundary: boundary }));
    expect(await boundaryInIam(iam, 'kim.bounded')).toEqual({ getUser: asBoundary(boundary), authorizationDetails: asBoundary(boundary) });
    expect(await boundaryInIam(iam, 'lee.free')).toEqual({ getUser: null, authorizationDetails: null });
    // ListUsers leaves the boundary out, as in AWS, even for a user that has one.
    const listed = await iam.send(new ListUsersCommand({}));
    expect(Object.fromEntries((listed.Users ?? []).map((u) => [u.UserName, u.PermissionsBoundary ?? null]))).toEqual({ 'kim.bounded': null, 'lee.free': null });

    expect(await boundariesInAudit()).toEqual({ 'kim.bounded': boundary, 'lee.free': null });

    await iam.send(new DeleteUserPermissionsBoundaryCommand({ UserName: 'kim.bounded' }));
    expect(await boundaryInIam(iam, 'kim.bounded')).toEqual({ getUser: null, authorizationDetails: null });
    expect(await boundariesInAudit()).toEqual({ 'kim.bounded': null, 'lee.free': null });
  });

  it('takes an AWS-managed policy as a boundary, and replaces a boundary that is put again', async () => {
    const { iam } = clients;
    const boundary = await createBoundaryPolicy();
    const viewOnly = 'arn:aws:iam::aws:policy/job-function/ViewOnlyAccess';
    await iam.send(new CreateUserCommand({ UserName: 'kim.bounded', PermissionsBoundary: boundary }));
    expect(await boundaryInIam(iam, 'kim.bounded')).toEqual({ getUser: asBoundary(boundary), authorizationDetails: asBoundary(boundary) });

    await iam.send(new PutUserPermissionsBoundaryCommand({ UserName: 'kim.bounded', PermissionsBoundary: viewOnly }));
    expect(await boundaryInIam(iam, 'kim.bounded')).toEqual({ getUser: asBoundary(viewOnly), authorizationDetails: asBoundary(viewOnly) });
    expect(await boundariesInAudit()).toEqual({ 'kim.bounded': viewOnly });
  });

  it('refuses a boundary that is not an existing managed policy, and leaves the user as it was', async () => {
    const { iam } = clients;
    const boundary = await createBoundaryPolicy();
    const missing = boundary.replace('team-boundary', 'no-such-policy');
    await iam.send(new CreateUserCommand({ UserName: 'kim.bounded', PermissionsBoundary: boundary }));

    expect(await errorName(iam.send(new PutUserPermissionsBoundaryCommand({ UserName: 'kim.bounded', PermissionsBoundary: missing })))).toBe('NoSuchEntityException');
    expect(await errorName(iam.send(new PutUserPermissionsBoundaryCommand({ UserName: 'kim.bounded', PermissionsBoundary: 'arn:aws:s3:::not-a-policy' })))).toBe(
      'InvalidInputException',
    );
    expect(await errorName(iam.send(new PutUserPermissionsBoundaryCommand({ UserName: 'no.such.user', PermissionsBoundary: boundary })))).toBe('NoSuchEntityException');
    expect(await errorName(iam.send(new DeleteUserPermissionsBoundaryCommand({ UserName: 'no.such.user' })))).toBe('NoSuchEntityException');
    expect(await boundaryInIam(iam, 'kim.bounded')).toEqual({ getUser: asBoundary(boundary), authorizationDetails: asBoundary(boundary) });

    // CreateUser with a boundary that does not exist creates no user at all.
    expect(await errorName(iam.send(new CreateUserCommand({ UserName: 'lee.refused', PermissionsBoundary: missing })))).toBe('NoSuchEntityException');
    expect(await errorName(iam.send(new GetUserCommand({ UserName: 'lee.refused' })))).toBe('NoSuchEntityException');
  });
});
