import { existsSync } from 'node:fs';
import type { CommandContext } from '../command-context.js';
import { say } from '../io/io-host.js';
import { formatMappingPath, loadMapping, MAPPING_FILE, type LoadedMapping } from '../workspace/mapping-file.js';

/** Reads and validates the workspace's mapping.yaml (exit 2 when invalid) and shows its warnings. */
export async function readMapping(ctx: CommandContext): Promise<LoadedMapping> {
  const loaded = await loadMapping(ctx.workspace.resolve(MAPPING_FILE));
  for (const warning of loaded.warnings) say.warn(ctx.io, 'MAPPING_WARNING', `${MAPPING_FILE} ${formatMappingPath(warning.path)}: ${warning.message}`);
  return loaded;
}

/** The same, for commands that also work before the audit wrote one: null when there is none. */
export async function readMappingIfAny(ctx: CommandContext): Promise<LoadedMapping | null> {
  return existsSync(ctx.workspace.resolve(MAPPING_FILE)) ? readMapping(ctx) : null;
}
