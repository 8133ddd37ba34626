import { CreateUserCommand, ListUsersCommand } from '@aws-sdk/client-iam';
import { CreateAccountCommand, CreateOrganizationalUnitCommand, CreateOrganizationCommand, ListRootsCommand, MoveAccountCommand } from '@aws-sdk/client-organizations';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterEach, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import { AwsContext } from '../../src/aws/aws-context.js';
import { readOrganizationScope } from '../../src/phases/audit/read-organization-scope.js';
import { DEFAULT_TEST_KEY, EMULATOR_REGION } from './support/aws-clients.js';
import { resetMoto } from './support/moto.js';

const endpoint = inject('motoEndpoint');
const MEMBER = '222222222222';

/**
 * The hub reaches a member account's IAM with a role assumed from its own credentials: moto, like
 * AWS, gives the assumed session the identity of the role's account, and that account's IAM is its
 * own (the users of one account are not the other's).
 */
describe.skipIf(endpoint === null)('member accounts reached from the hub', () => {
  let hub: AwsContext;

  beforeEach(async () => {
    await resetMoto(endpoint ?? '');
    // The clients take the endpoint from the environment, as the CLI's do.
    vi.stubEnv('AWS_ENDPOINT_URL', endpoint ?? '');
    hub = new AwsContext({
      config: { profile: undefined, region: EMULATOR_REGION, regionSource: 'flag', ssoProfile: false },
      credentials: async () => ({ accessKeyId: DEFAULT_TEST_KEY.id, secretAccessKey: DEFAULT_TEST_KEY.secret }),
    });
  });

  afterEach(() => {
    hub.destroy();
    vi.unstubAllEnvs();
  });

  it('assumes the member role, works in that account only, and is made once per account', async () => {
    const member = hub.forAccount(MEMBER, { roleName: 'OrganizationAccountAccessRole' });
    const caller = await member.sts.send(new GetCallerIdentityCommand({}));
    expect(caller.Account).toBe(MEMBER);
    expect(caller.Arn).toContain('assumed-role/OrganizationAccountAccessRole/iam2idc');

    await member.iam.send(new CreateUserCommand({ UserName: 'member-only' }));
    const inMember = (await member.iam.send(new ListUsersCommand({}))).Users?.map((u) => u.UserName);
    const inHub = (await hub.iam.send(new ListUsersCommand({}))).Users?.map((u) => u.UserName) ?? [];
    expect(inMember).toEqual(['member-only']);
    expect(inHub).not.toContain('member-only');

    expect(hub.forAccount(MEMBER, { roleName: 'OrganizationAccountAccessRole' })).toBe(member);
    expect(hub.forAccount(MEMBER, { roleArn: `arn:aws:iam::${MEMBER}:role/Other` })).not.toBe(member);
    // One counter for the run: the member's calls count with the hub's.
    expect(hub.apiCalls.total).toBeGreaterThanOrEqual(4);
  });

  it('reads the organization the hub manages, narrowed to an OU, and reaches an account it created', async () => {
    const orgs = hub.organizations;
    await orgs.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    const create = async (name: string) => (await orgs.send(new CreateAccountCommand({ AccountName: name, Email: `${name}@corp.example` }))).CreateAccountStatus?.AccountId ?? '';
    const prod = await create('prod');
    const dev = await create('dev');
    const rootId = (await orgs.send(new ListRootsCommand({}))).Roots?.[0]?.Id ?? '';
    const workloads = (await orgs.send(new CreateOrganizationalUnitCommand({ ParentId: rootId, Name: 'workloads' }))).OrganizationalUnit?.Id ?? '';
    const nonprod = (await orgs.send(new CreateOrganizationalUnitCommand({ ParentId: workloads, Name: 'nonprod' }))).OrganizationalUnit?.Id ?? '';
    await orgs.send(new MoveAccountCommand({ AccountId: dev, SourceParentId: rootId, DestinationParentId: nonprod }));

    const whole = await readOrganizationScope(orgs);
    expect(whole.organizationId).toMatch(/^o-/);
    expect(whole.accounts.map((a) => a.accountId)).toEqual(expect.arrayContaining([whole.managementAccountId, prod, dev]));
    const narrowed = await readOrganizationScope(orgs, { organizationalUnits: [workloads] });
    expect(narrowed.accounts.map((a) => a.accountId)).toEqual([dev]);

    const caller = await hub.forAccount(dev, { roleName: 'OrganizationAccountAccessRole' }).sts.send(new GetCallerIdentityCommand({}));
    expect(caller.Account).toBe(dev);
  });
});
