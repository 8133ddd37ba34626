import { existsSync } from 'node:fs';
import { bindCaller, type CommandContext } from '../command-context.js';
import { UserError } from '../errors.js';
import { say } from '../io/io-host.js';
import { checkWorkspacePath } from '../workspace/safe-file.js';
import type { RetireAccount } from '../phases/disable/principal-facts.js';
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
 * The mapping as status and the guided session show it: an invalid one is reported (with the
 * problem) instead of ending the command, since where the migration stands is worth seeing then most.
 */
export async function readMappingForStatus(ctx: CommandContext, options: { showWarnings: boolean }): Promise<{ mapping: Mapping | null; problem: string | null }> {
  try {
    const loaded = options.showWarnings ? await readMappingIfAny(ctx) : await loadMappingQuietly(ctx);
    return { mapping: loaded?.mapping ?? null, problem: null };
  } catch (error) {
    if (!(error instanceof UserError) || !error.code.startsWith('MAPPING_')) throw error;
    return { mapping: null, problem: error.message };
  }
}

async function loadMappingQuietly(ctx: CommandContext): Promise<LoadedMapping | null> {
  const file = ctx.workspace.resolve(MAPPING_FILE);
  if (!existsSync(file)) return null;
  await checkWorkspacePath(ctx.workspace.dir, file);
  const loaded = await loadMapping(file);
  checkMappingAccount(loaded.mapping, await ctx.workspace.readState(), file);
  return loaded;
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
