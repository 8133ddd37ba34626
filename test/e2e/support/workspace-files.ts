import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import YAML from 'yaml';
import { CreateTrailCommand } from '@aws-sdk/client-cloudtrail';
import type { EmulatorClients } from './aws-clients.js';
import { assertLoopback } from './moto.js';
import { workspaceModes } from './e2e-helpers.js';

export async function readWorkspaceText(workspace: string, file: string): Promise<string> {
  return readFile(join(workspace, file), 'utf8');
}

export async function readWorkspaceJson<T>(workspace: string, file: string): Promise<T> {
  return JSON.parse(await readWorkspaceText(workspace, file)) as T;
}

/** Edits mapping.yaml the way an operator would: through the document, so comments stay. */
export async function editMapping(workspace: string, edit: (document: YAML.Document) => void): Promise<void> {
  const path = join(workspace, 'mapping.yaml');
  const document = YAML.parseDocument(await readFile(path, 'utf8'));
  edit(document);
  await writeFile(path, document.toString());
}

/** Every comment of a YAML text (`# ...` to the end of the line), without surrounding blanks. */
export function yamlComments(text: string): string[] {
  return [...text.matchAll(/#.*$/gm)].map((match) => match[0].trim());
}

/** The contents of every file of a workspace, by path relative to it. */
export async function workspaceContents(workspace: string): Promise<Record<string, string>> {
  const { files } = await workspaceModes(workspace);
  const entries = await Promise.all(Object.keys(files).map(async (file) => [file, await readWorkspaceText(workspace, file)] as const));
  return Object.fromEntries(entries);
}

interface PolicyStatement {
  Effect: string;
  Action?: string | string[];
}

/** `Effect:action` of every statement of a policy document, e.g. `Deny:s3:DeleteBucket`. */
export function effectActions(document: { Statement?: PolicyStatement | PolicyStatement[] }): string[] {
  const statements = Array.isArray(document.Statement) ? document.Statement : document.Statement ? [document.Statement] : [];
  return statements.flatMap((statement) => [statement.Action ?? []].flat().map((action) => `${statement.Effect}:${action}`));
}

/**
 * Creates a multi-region trail in the emulator, optionally delivering to a CloudWatch Logs log group.
 * moto's CreateTrail requires the S3 bucket to exist; the bucket is made with one unsigned path-style
 * PUT, which moto routes to S3 (its service of last resort), so no S3 client is needed.
 */
export async function createEmulatorTrail(clients: EmulatorClients, name: string, delivery?: { logGroupArn: string; roleArn: string }): Promise<string> {
  assertLoopback(clients.endpoint);
  const bucket = `${name}-logs`;
  const created = await fetch(`${clients.endpoint}/${bucket}`, { method: 'PUT' });
  if (!created.ok) throw new Error(`creating bucket ${bucket} failed: HTTP ${created.status}`);
  const trail = await clients.cloudTrail.send(
    new CreateTrailCommand({
      Name: name,
      S3BucketName: bucket,
      IsMultiRegionTrail: true,
      ...(delivery ? { CloudWatchLogsLogGroupArn: delivery.logGroupArn, CloudWatchLogsRoleArn: delivery.roleArn } : {}),
    }),
  );
  return trail.TrailARN!;
}
