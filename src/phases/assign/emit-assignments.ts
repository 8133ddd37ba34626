import path from 'node:path';
import { UserError } from '../../errors.js';
import type { Mapping } from '../../workspace/mapping-schema.js';
import { MAPPING_FILE } from '../../workspace/mapping-file.js';
import { Workspace } from '../../workspace/workspace.js';
import type { DesiredIdentities } from './identities/desired-identities.js';
import { emitAssignmentsCloudFormation, emitAssignmentsTerraform } from './emit-assignments-iac.js';
import { listDesiredAssignments } from './plan-assignments.js';

export interface EmitAssignmentsAsCodeOptions {
  format: 'terraform' | 'cloudformation';
  outDir?: string;
  instanceArn: string | null;
  identityStoreId: string | null;
  generatedAt: string;
}

/**
 * Writes the mapping's groups, memberships and assignments as Terraform or CloudFormation, with no AWS
 * call. IaC assigns to accounts only, so an OU target has to be listed as its accounts first.
 */
export async function emitAssignmentsAsCode(workspace: Workspace, mapping: Mapping, desired: DesiredIdentities, options: EmitAssignmentsAsCodeOptions): Promise<{ format: string; files: string[] }> {
  const accountsByAssignment = mapping.assignments.map((entry, i) =>
    entry.targets.map((target, j) => {
      if (!/^\d{12}$/.test(target)) {
        throw new UserError('EMIT_NEEDS_ACCOUNTS', `${MAPPING_FILE} assignments[${i}].targets[${j}]: ${target} is not an account ID.`, 'With --emit, list the accounts of an OU explicitly (IaC assigns to accounts), or run assign without --emit.');
      }
      return target;
    }),
  );
  const input = {
    groups: desired.groups.map((g) => ({ displayName: g.displayName, description: g.description, members: g.members })),
    assignments: listDesiredAssignments(mapping, accountsByAssignment),
  };
  const emitOptions = { instanceArn: options.instanceArn, identityStoreId: options.identityStoreId, generatedAt: options.generatedAt };
  const emitted = options.format === 'terraform' ? emitAssignmentsTerraform(input, emitOptions) : emitAssignmentsCloudFormation(input, emitOptions);
  const out = Workspace.at(options.outDir ? path.resolve(options.outDir) : workspace.resolve('iac'));
  const files: string[] = [];
  for (const file of emitted.files) files.push(await out.writeText(file.path, file.content));
  return { format: options.format, files };
}
