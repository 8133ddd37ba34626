import { existsSync } from 'node:fs';
import { bindCaller, type CommandContext } from '../command-context.js';
import { say } from '../io/io-host.js';
import { checkWorkspacePath } from '../workspace/safe-file.js';
import type { RetireAccount } from '../services/retire/principal-facts.js';
import { checkMappingAccount, formatMappingPath, loadMapping, MAPPING_FILE, type LoadedMapping } from '../workspace/mapping-file.js';
import type { Mapping } from '../workspace/mapping-schema.js';
import { readPermissionSetPolicies } from '../workspace/policy-files.js';

/**
 * Reads and validates the workspace's mapping.yaml (exit 2 when invalid, or when it is for another
 * account than the workspace) and shows its warnings.
 */
export async function readMapping(ctx: CommandContext): Promise<LoadedMapping> {
  const file = ctx.workspace.resolve(MAPPING_FILE);
  await checkWorkspacePath(ctx.workspace.dir, file);
  const loaded = await loadMapping(file);
  checkMappingAccount(loaded.mapping, await ctx.workspace.readState(), file);
  for (const warning of loaded.warnings) say.warn(ctx.io, 'MAPPING_WARNING', `${MAPPING_FILE} ${formatMappingPath(warning.path)}: ${warning.message}`);
  return loaded;
}

/** The same, for commands that also work before the audit wrote one: null when there is none. */
export async function readMappingIfAny(ctx: CommandContext): Promise<LoadedMapping | null> {
  return existsSync(ctx.workspace.resolve(MAPPING_FILE)) ? readMapping(ctx) : null;
}

/**
 * What disable and cleanup act with: the permission sets' policies (files, read first), then the
 * caller, bound to the workspace's account. Callers check their own flags and plan file before this.
 */
export async function readRetireAccount(ctx: CommandContext, mapping: Mapping): Promise<RetireAccount> {
  const inlinePolicies = await readPermissionSetPolicies(ctx.workspace, mapping.permissionSets);
  const { caller, state } = await bindCaller(ctx);
  return {
    iam: ctx.aws.iam,
    accountId: caller.accountId,
    partition: caller.partition,
    callerUserId: caller.userId,
    mapping,
    state,
    inlinePolicyOf: (name) => inlinePolicies.get(name) ?? null,
  };
}
