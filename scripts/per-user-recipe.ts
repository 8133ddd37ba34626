/**
 * The inventory recipe most IAM scripts use, kept as the baseline for `npm run bench`: list the
 * users, then ask about each one (policies, groups, keys and every key's last use), 8 requests in
 * flight. Reads the endpoint, region and credentials from the standard AWS_* environment, and
 * prints `{ users, apiCalls: { total, byOperation } }` as JSON.
 */
import {
  GetAccessKeyLastUsedCommand,
  IAMClient,
  paginateListAccessKeys,
  paginateListAttachedUserPolicies,
  paginateListGroupsForUser,
  paginateListUserPolicies,
  paginateListUsers,
} from '@aws-sdk/client-iam';
import pLimit from 'p-limit';

const IN_FLIGHT = 8;

const iam = new IAMClient({});
const calls = new Map<string, number>();
iam.middlewareStack.add(
  (next, context) => (args) => {
    const operation = context.commandName ?? 'unknown';
    calls.set(operation, (calls.get(operation) ?? 0) + 1);
    return next(args);
  },
  { step: 'initialize', name: 'countApiCalls' },
);

const limit = pLimit(IN_FLIGHT);

/** Collects every item of a paginator, each page request going through the shared limiter. */
async function collect<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const iterator = pages[Symbol.asyncIterator]();
  const all: T[] = [];
  for (;;) {
    const page = await limit(() => iterator.next());
    if (page.done) return all;
    all.push(page.value);
  }
}

const userPages = await collect(paginateListUsers({ client: iam }, {}));
const users = userPages.flatMap((page) => page.Users ?? []);

const records = await Promise.all(
  users.map(async (user) => {
    const UserName = user.UserName!;
    const [attached, inline, groups, keys] = await Promise.all([
      collect(paginateListAttachedUserPolicies({ client: iam }, { UserName })),
      collect(paginateListUserPolicies({ client: iam }, { UserName })),
      collect(paginateListGroupsForUser({ client: iam }, { UserName })),
      collect(paginateListAccessKeys({ client: iam }, { UserName })),
    ]);
    const keyMetadata = keys.flatMap((page) => page.AccessKeyMetadata ?? []);
    const lastUsed = await Promise.all(
      keyMetadata.map((key) => limit(() => iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: key.AccessKeyId })))),
    );
    return {
      userName: UserName,
      attachedPolicies: attached.flatMap((page) => page.AttachedPolicies ?? []).map((p) => p.PolicyArn),
      inlinePolicies: inline.flatMap((page) => page.PolicyNames ?? []),
      groups: groups.flatMap((page) => page.Groups ?? []).map((g) => g.GroupName),
      accessKeys: keyMetadata.map((key, i) => ({ id: key.AccessKeyId, status: key.Status, lastUsed: lastUsed[i]?.AccessKeyLastUsed?.LastUsedDate ?? null })),
    };
  }),
);

const byOperation = Object.fromEntries([...calls.entries()].sort(([a], [b]) => a.localeCompare(b)));
const total = [...calls.values()].reduce((sum, n) => sum + n, 0);
console.log(JSON.stringify({ users: records.length, apiCalls: { total, byOperation } }));
iam.destroy();
