import { GetPolicyCommand, GetPolicyVersionCommand, type IAMClient } from '@aws-sdk/client-iam';
import pMap from 'p-map';
import { decodePolicyDocument } from './decode-policy-document.js';
import type { PolicyDocument } from './inventory.js';

/** IAM is one global endpoint shared with everything else the account runs: stay well below its rate. */
const IAM_CONCURRENCY = 4;

/**
 * The default-version documents of AWS-managed policies, which GetAccountAuthorizationDetails leaves
 * out on purpose (over a thousand of them). Two calls per distinct policy, never per user: the audit
 * reads those the account uses, and later phases read any it could not.
 */
export async function fetchAwsManagedDocuments(iam: Pick<IAMClient, 'send'>, arns: Iterable<string>): Promise<Map<string, PolicyDocument>> {
  const unique = [...new Set(arns)].sort();
  const entries = await pMap(
    unique,
    async (arn) => {
      const policy = await iam.send(new GetPolicyCommand({ PolicyArn: arn }));
      const version = await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: policy.Policy?.DefaultVersionId }));
      return [arn, decodePolicyDocument(version.PolicyVersion?.Document) ?? { Statement: [] }] as const;
    },
    { concurrency: IAM_CONCURRENCY },
  );
  return new Map(entries);
}
