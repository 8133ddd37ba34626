import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';

export interface CountingServer {
  endpoint: string;
  /** How many HTTP requests reached it. */
  requests(): number;
  close(): Promise<void>;
}

/**
 * A loopback HTTP server that counts requests and fails every one of them. Pointing the CLI's
 * AWS_ENDPOINT_URL at it proves that a command made no AWS call at all.
 */
export async function startCountingServer(): Promise<CountingServer> {
  let count = 0;
  const server = createServer((request, response) => {
    count += 1;
    request.resume();
    response.writeHead(500, { 'content-type': 'text/plain' }).end('not an AWS endpoint');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests: () => count,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

export interface WorkspaceModes {
  /** Permission bits (mode & 0o777) by path relative to the workspace; the workspace itself is `.`. */
  directories: Record<string, number>;
  files: Record<string, number>;
}

/** Walks a workspace and collects the permission bits of everything in it. */
export async function workspaceModes(root: string): Promise<WorkspaceModes> {
  const modes: WorkspaceModes = { directories: {}, files: {} };
  const walk = async (dir: string): Promise<void> => {
    modes.directories[relative(root, dir) || '.'] = (await stat(dir)).mode & 0o777;
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else modes.files[relative(root, path)] = (await stat(path)).mode & 0o777;
    }
  };
  await walk(root);
  return modes;
}
