import { paginateListInstances, type SSOAdminClient } from '@aws-sdk/client-sso-admin';
import type { IdentityCenterInstance } from '../../model/inventory.js';

/**
 * The Identity Center instances visible from `region`. An account has at most one, and it lives
 * in one region only, so an empty answer may just mean another region.
 */
export async function discoverIdentityCenter(ssoAdmin: SSOAdminClient, region: string): Promise<IdentityCenterInstance[]> {
  const instances: IdentityCenterInstance[] = [];
  for await (const page of paginateListInstances({ client: ssoAdmin }, {})) {
    for (const instance of page.Instances ?? []) {
      if (!instance.InstanceArn || !instance.IdentityStoreId) continue;
      instances.push({
        instanceArn: instance.InstanceArn,
        identityStoreId: instance.IdentityStoreId,
        ownerAccountId: instance.OwnerAccountId ?? null,
        name: instance.Name ?? null,
        status: instance.Status ?? null,
        region,
      });
    }
  }
  return instances;
}
