/**
 * The shapes of IAM identifiers, for every schema that holds them: a name outside these can never
 * reach a request (IAM applies key and policy operations to the caller when `UserName` is absent) or
 * a file name under the workspace.
 */
import { z } from 'zod';

/** IAM user names: 1–64 of `[\w+=,.@-]` (CreateUser's documented pattern). */
export const IAM_USER_NAME = /^[\w+=,.@-]{1,64}$/;
// IAM documents UserId as [\w]+ of 16 to 128; emulators make shorter lower-case ones.
export const IAM_USER_ID = /^\w{8,128}$/;

export const iamUserName = z.string().regex(IAM_USER_NAME, 'not an IAM user name');
export const iamUserId = z.string().regex(IAM_USER_ID, 'not an IAM UserId');

/** AWS-managed policies live in the `aws` pseudo-account, in every partition: `arn:aws-cn:iam::aws:policy/…`. */
const AWS_MANAGED_POLICY_ARN = /^arn:[^:]+:iam::aws:policy\//;

/** Whether the ARN names an AWS-managed policy (anything else attached to a principal is customer-managed). */
export function isAwsManagedPolicyArn(arn: string): boolean {
  return AWS_MANAGED_POLICY_ARN.test(arn);
}
