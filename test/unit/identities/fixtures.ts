import { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import type { Mapping, MappingUser } from '../../../src/workspace/mapping-schema.js';
import { mockSdkClient } from '../support/aws-mocks.js';

export const STORE_ID = 'd-1234567890';

/** A mocked identity store client, reset after every test. */
export function mockIdentityStore() {
  const mock = mockSdkClient(IdentitystoreClient);
  const client = new IdentitystoreClient({ region: 'us-east-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' } });
  return { mock, client };
}

/** A mapping with only what the identity side reads. */
export function mapping(users: Record<string, Partial<MappingUser>>, groups: Record<string, string[]> = {}): Mapping {
  return {
    version: 1,
    account: '111111111111',
    protect: { users: [], tags: [] },
    users: Object.fromEntries(Object.entries(users).map(([name, u]) => [name, { kind: 'human', userName: name, ...u } as MappingUser])),
    permissionSets: {},
    groups: Object.fromEntries(Object.entries(groups).map(([name, members]) => [name, { members }])),
    assignments: [],
  };
}

/** An audited IAM user with tags. */
export function auditUser(userName: string, tags: Record<string, string> = {}) {
  return { userName, tags: Object.entries(tags).map(([key, value]) => ({ key, value })) };
}

export { awsError } from '../support/aws-mocks.js';
