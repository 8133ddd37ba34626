import type { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { Fault, SafetyRefusal, UserError } from '../../errors.js';
import { discoverIdentityCenter } from '../audit/discover-identity-center.js';
import type { IdentityCenterInstance } from '../../model/inventory.js';

/** The Identity Center instance a workspace works with, as `workspace.json` records it. */
export interface IdentityCenterRef {
  instanceArn: string;
  identityStoreId: string;
  region: string;
}

export interface ResolvedInstance extends IdentityCenterRef {
  /** Where the choice came from: the flag, the workspace, the only instance there is, or the operator. */
  source: 'flag' | 'workspace' | 'only-instance' | 'selected';
}

export interface ResolveInstanceOptions {
  /** `--instance-arn`: wins over everything, and must be an instance the caller can see. */
  instanceArn?: string;
  /** The instance recorded in workspace.json, if any. */
  recorded: IdentityCenterRef | null;
  /** Asks which of several instances to use. Without a terminal it refuses (exit 3). */
  select: (choices: IdentityCenterInstance[]) => Promise<IdentityCenterInstance>;
  /** The region the client talks to, recorded with an instance found there; the client's own by default. */
  region?: string;
}

/**
 * Which Identity Center instance to work with: `--instance-arn`, else the one the workspace
 * recorded, else the instances `ListInstances` shows: the only one, or the operator's choice.
 */
export async function resolveIdentityCenterInstance(ssoAdmin: SSOAdminClient, options: ResolveInstanceOptions): Promise<ResolvedInstance> {
  if (options.instanceArn === undefined && options.recorded !== null) return { ...options.recorded, source: 'workspace' };

  const region = options.region ?? (await ssoAdmin.config.region());
  // An instance being created or deleted cannot hold permission sets.
  const instances = (await discoverIdentityCenter(ssoAdmin, region)).filter((i) => i.status === null || i.status === 'ACTIVE');

  if (options.instanceArn !== undefined) {
    const match = instances.find((i) => i.instanceArn === options.instanceArn);
    if (!match) {
      throw new UserError(
        'INSTANCE_NOT_FOUND',
        `--instance-arn ${options.instanceArn} is not an active IAM Identity Center instance in ${region}.`,
        instances.length > 0
          ? `Use one of: ${instances.map((i) => i.instanceArn).join(', ')}; or pass --region with the instance's region.`
          : "Pass --region with the instance's region, or leave out --instance-arn.",
      );
    }
    return refOf(match, 'flag');
  }

  if (instances.length === 0) {
    throw new Fault(
      'NO_IDENTITY_CENTER',
      `No IAM Identity Center instance is enabled in ${region}.`,
      'Enable IAM Identity Center as an organization instance: sign in to the management account, open the IAM Identity Center console and choose Enable ' +
        '(only an organization instance can assign AWS accounts). If it is enabled in another region, run again with --region <that region>.',
    );
  }
  if (instances.length === 1) return refOf(instances[0] as IdentityCenterInstance, 'only-instance');

  let chosen: IdentityCenterInstance;
  try {
    chosen = await options.select(instances);
  } catch (error) {
    if (!(error instanceof SafetyRefusal)) throw error;
    throw new SafetyRefusal(
      'INSTANCE_CHOICE_NEEDED',
      `${instances.length} IAM Identity Center instances are visible in ${region}, and no prompt can ask which one to use.`,
      `Pass --instance-arn with one of: ${instances.map((i) => i.instanceArn).join(', ')}.`,
      { cause: error },
    );
  }
  return refOf(chosen, 'selected');
}

function refOf(instance: IdentityCenterInstance, source: ResolvedInstance['source']): ResolvedInstance {
  return { instanceArn: instance.instanceArn, identityStoreId: instance.identityStoreId, region: instance.region, source };
}
