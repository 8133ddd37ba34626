import path from 'node:path';
import { Workspace } from '../../workspace/workspace.js';
import { emitCloudFormation } from './emit-cloudformation.js';
import { emitTerraform } from './emit-terraform.js';
import type { DesiredPermissionSet } from './types.js';

export interface EmitOptions {
  format: 'terraform' | 'cloudformation';
  /** Where to write; the workspace's `iac/` by default. */
  outDir?: string;
  instanceArn: string | null;
  generatedAt: string;
}

/** Writes the permission sets as Terraform or CloudFormation (0600, atomically), for teams that apply through IaC. */
export async function emitInfrastructureAsCode(workspace: Workspace, sets: DesiredPermissionSet[], options: EmitOptions): Promise<{ format: string; files: string[] }> {
  const emit = options.format === 'terraform' ? emitTerraform : emitCloudFormation;
  const emitted = emit(sets, { instanceArn: options.instanceArn, generatedAt: options.generatedAt });
  const out = Workspace.at(options.outDir ? path.resolve(options.outDir) : workspace.resolve('iac'));
  const files: string[] = [];
  for (const file of emitted.files) files.push(await out.writeText(file.path, file.content));
  return { format: options.format, files };
}
