import type { TextFormat } from '../../io/io-host.js';
import type { CreatePermissionSetsResult } from './create-permission-sets-phase.js';
import { renderExecutionSummary } from '../../plan/render-execution-summary.js';

export function renderCreatePermissionSets(result: CreatePermissionSetsResult, f: TextFormat): string {
  const lines = [renderExecutionSummary(result.execution, f)];
  if (result.planFile) lines.push(`Plan saved to ${result.planFile}: apply it with \`iam2idc create-permission-sets --plan ${result.planFile}\`.`);
  const names = Object.keys(result.arns);
  if (names.length > 0) lines.push(f.dim(`${names.length} permission set(s) recorded in workspace.json (instance ${result.instanceArn}).`));
  return lines.join('\n');
}
