import { paginateListUsers, type IdentitystoreClient } from '@aws-sdk/client-identitystore';

/**
 * Where the people of an Identity Center instance come from.
 *
 * - `idc`: the Identity Center directory. The tool may create users, groups and memberships.
 * - `external`: an external IdP with SCIM provisioning, or Active Directory. People and groups are
 *   owned by that source, so the tool only resolves them and reports what to do there.
 *
 * Decision: no API states the identity source. `sso-admin DescribeInstance` returns the ARN, the
 * identity store ID, owner, name, status and encryption only, and the identity store API has no
 * call that describes its source. What the API does expose is `ExternalIds` on users: SCIM
 * provisioning and the AD sync stamp every user they create with one, while users of the IdC
 * directory have none. So:
 *   1. `--identity-source idc|external` wins when given;
 *   2. otherwise (`auto`) up to `MAX_USERS_SAMPLED` users are listed, and one with an external ID
 *      makes the source `external`;
 *   3. otherwise the source is taken to be `idc` (an empty store, or only directory users).
 * Step 3 is wrong for an external IdP whose users are provisioned by hand, without SCIM; such a
 * store must be run with `--identity-source external`, and the preview says how the source was
 * decided so that the operator can see it.
 */
export type IdentitySource = 'idc' | 'external';

/** The `--identity-source` flag: a source, or `auto` to infer it. */
export type IdentitySourceOption = IdentitySource | 'auto';

export interface DetectedIdentitySource {
  source: IdentitySource;
  /** How it was decided, for the preview. */
  decidedBy: 'flag' | 'external-ids' | 'default';
  /** A line for people: why this source. */
  reason: string;
}

/** Enough users to meet a provisioned one in any real store, few enough to stay one or two calls. */
export const MAX_USERS_SAMPLED = 200;

/** Decides the identity source of the store (see the type's comment for how). */
export async function detectIdentitySource(
  identityStore: IdentitystoreClient,
  identityStoreId: string,
  options: { option?: IdentitySourceOption; signal?: AbortSignal } = {},
): Promise<DetectedIdentitySource> {
  const option = options.option ?? 'auto';
  if (option !== 'auto') return { source: option, decidedBy: 'flag', reason: `--identity-source ${option}` };

  let seen = 0;
  const pages = paginateListUsers({ client: identityStore, pageSize: 100 }, { IdentityStoreId: identityStoreId });
  for await (const page of pages) {
    for (const user of page.Users ?? []) {
      const issuer = user.ExternalIds?.find((id) => id.Issuer)?.Issuer;
      if (issuer !== undefined) {
        return { source: 'external', decidedBy: 'external-ids', reason: `user ${user.UserName ?? user.UserId} is provisioned from ${issuer}` };
      }
      seen += 1;
    }
    if (seen >= MAX_USERS_SAMPLED || options.signal?.aborted) break;
  }
  const reason = seen === 0 ? 'the identity store has no users yet' : `none of ${seen} users listed carries an external ID`;
  return { source: 'idc', decidedBy: 'default', reason: `${reason}; pass --identity-source external if people come from an IdP` };
}
