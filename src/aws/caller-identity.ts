import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { parse } from '@aws-sdk/util-arn-parser';
import type { CallerIdentity } from '../model/inventory.js';

/** Who is calling, and in which account and partition. sts:GetCallerIdentity needs no permission. */
export async function getCallerIdentity(sts: Pick<STSClient, 'send'>): Promise<CallerIdentity> {
  const out = await sts.send(new GetCallerIdentityCommand({}));
  if (!out.Account || !out.Arn || !out.UserId) {
    throw new Error('GetCallerIdentity returned an incomplete identity');
  }
  return { accountId: out.Account, arn: out.Arn, userId: out.UserId, partition: parse(out.Arn).partition };
}
