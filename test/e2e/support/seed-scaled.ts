import {
  AddUserToGroupCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateLoginProfileCommand,
  CreatePolicyCommand,
  CreateUserCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import pMap from 'p-map';
import type { EmulatorClients } from './aws-clients.js';
import type { SeedGroupSpec } from './seed-helpers.js';
import { allow, createGroup, doc } from './seed-helpers.js';

const AWS = 'arn:aws:iam::aws:policy';

/** AWS-managed policies spread over the groups, including ones under a non-root path. */
const AWS_MANAGED = [
  `${AWS}/ReadOnlyAccess`,
  `${AWS}/PowerUserAccess`,
  `${AWS}/job-function/ViewOnlyAccess`,
  `${AWS}/AmazonS3ReadOnlyAccess`,
  `${AWS}/AmazonEC2ReadOnlyAccess`,
  `${AWS}/CloudWatchReadOnlyAccess`,
  `${AWS}/job-function/DatabaseAdministrator`,
  `${AWS}/AWSLambda_ReadOnlyAccess`,
];

const GROUP_COUNT = 20;
const CUSTOMER_POLICY_COUNT = 5;

export interface ScaledSeedOptions {
  users: number;
  /** Requests in flight; moto is a single Python process, so more than ~16 only queues. */
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface ScaledSeedResult {
  accountId: string;
  users: number;
  groups: string[];
  accessKeys: number;
  loginProfiles: number;
  durationMs: number;
}

/**
 * Seeds N users spread over 20 groups with AWS-managed, customer-managed and inline policies:
 * about half have one or two access keys, a tenth a console password, some direct or inline policies.
 * Users are created by a bounded pool so that thousands seed quickly without flooding the emulator.
 */
export async function seedScaledAccount(clients: EmulatorClients, options: ScaledSeedOptions): Promise<ScaledSeedResult> {
  const started = Date.now();
  const { iam } = clients;
  const accountId = (await clients.sts.send(new GetCallerIdentityCommand({}))).Account!;

  const customerArns = await pMap(Array.from({ length: CUSTOMER_POLICY_COUNT }, (_, i) => i), async (i) => {
    const created = await iam.send(
      new CreatePolicyCommand({
        PolicyName: `scaled-app-${i}`,
        Path: i % 2 === 0 ? '/scaled/' : '/',
        PolicyDocument: JSON.stringify(doc(allow([`s3:GetObject`, `dynamodb:Query`], [`arn:aws:s3:::app-${i}/*`]))),
      }),
    );
    return created.Policy!.Arn!;
  });

  const groups: SeedGroupSpec[] = Array.from({ length: GROUP_COUNT }, (_, i) => ({
    name: `team-${String(i).padStart(2, '0')}`,
    managed: [AWS_MANAGED[i % AWS_MANAGED.length]!, ...(i % 2 === 1 ? [customerArns[i % CUSTOMER_POLICY_COUNT]!] : [])],
    inline: { [`team-${i}-extras`]: doc(allow(['sqs:SendMessage', 'sns:Publish'], [`arn:aws:sqs:*:*:team-${i}-*`])) },
  }));
  await pMap(groups, (g) => createGroup(iam, g), { concurrency: 8 });

  let done = 0;
  let accessKeys = 0;
  let loginProfiles = 0;
  const indexes = Array.from({ length: options.users }, (_, i) => i + 1);
  await pMap(
    indexes,
    async (i) => {
      const userName = `user-${String(i).padStart(5, '0')}`;
      await iam.send(new CreateUserCommand({ UserName: userName, Tags: i % 3 === 0 ? [{ Key: 'team', Value: `t${i % GROUP_COUNT}` }] : undefined }));
      await iam.send(new AddUserToGroupCommand({ GroupName: groups[i % GROUP_COUNT]!.name, UserName: userName }));
      if (i % 3 === 0) {
        await iam.send(new AddUserToGroupCommand({ GroupName: groups[(i * 7) % GROUP_COUNT]!.name, UserName: userName }));
      }
      if (i % 8 === 0) {
        await iam.send(new AttachUserPolicyCommand({ UserName: userName, PolicyArn: customerArns[i % CUSTOMER_POLICY_COUNT]! }));
      }
      if (i % 6 === 0) {
        await iam.send(
          new PutUserPolicyCommand({
            UserName: userName,
            PolicyName: 'personal-bucket',
            PolicyDocument: JSON.stringify(doc(allow(['s3:*'], [`arn:aws:s3:::home-${userName}/*`]))),
          }),
        );
      }
      const keys = i % 2 === 0 ? (i % 4 === 0 ? 2 : 1) : 0;
      for (let k = 0; k < keys; k += 1) await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
      accessKeys += keys;
      if (i % 10 === 0) {
        await iam.send(new CreateLoginProfileCommand({ UserName: userName, Password: `Scaled-${i}-Pass!word` }));
        loginProfiles += 1;
      }
      done += 1;
      options.onProgress?.(done, options.users);
    },
    { concurrency: options.concurrency ?? 16 },
  );

  return {
    accountId,
    users: options.users,
    groups: groups.map((g) => g.name),
    accessKeys,
    loginProfiles,
    durationMs: Date.now() - started,
  };
}
