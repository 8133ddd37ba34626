import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListUserPoliciesCommand } from '@aws-sdk/client-iam';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { createEmulatorClients, destroyEmulatorClients, type EmulatorClients } from './support/aws-clients.js';
import { resetMoto } from './support/moto.js';
import { buildCliEnv, CLI_BIN, REPO_ROOT, runCli } from './support/run-cli.js';
import { seedSandboxAccount, type SeededSandbox } from './support/seed-account.js';
import { idcSession, putTrailEvents, seedTrailLogGroup } from './support/seed-trail.js';
import { hasTmux, TerminalSession } from './support/tmux.js';

const endpoint = inject('motoEndpoint');

/** inquirer's menu marks the highlighted choice with ❯; the session's menu asks "What next?". */
const MENU = /What next\?/;
const CURSOR_ON = (text: RegExp) => new RegExp(`❯ .*${text.source}`);
/** The typed confirmation names the account it applies to. */
const TYPED_PROMPT = /Type the account ID/;

/**
 * A person at a terminal walks the guided session: arrow keys and Enter in the menu, a wrong account
 * ID at the destructive confirmation, Ctrl-C in the middle of a step, a restart, and the right ID.
 */
describe.skipIf(endpoint === null || !hasTmux)('the guided session in a real terminal', () => {
  let scratch: string;
  let workspace: string;
  let clients: EmulatorClients;
  let seeded: SeededSandbox;
  const sessions: TerminalSession[] = [];

  beforeEach(async () => {
    await resetMoto(endpoint ?? '');
    scratch = await mkdtemp(join(tmpdir(), 'iam2idc-session-'));
    workspace = join(scratch, 'ws');
    clients = createEmulatorClients(endpoint ?? '');
    seeded = await seedSandboxAccount(clients);
    for (const step of [['audit'], ['generate-policies'], ['create-permission-sets', '--yes'], ['assign', '--yes', '--email-template', '{user}@corp.example']]) {
      const run = await runCli([...step, '-w', workspace, '-o', 'json'], { endpoint: endpoint ?? '', timeoutMs: 120_000 });
      expect(run.code, run.stderr).toBe(0);
    }
    // A parallel run already watched: the session's next step is disable.
    await seedTrailLogGroup(clients, seeded.accountId);
    await putTrailEvents(clients, seeded.accountId, [{ id: 's-1', minutesAgo: 120, identity: idcSession(seeded.accountId, 'ReadOnly', 'erin.readonly'), eventSource: 'sts.amazonaws.com', eventName: 'GetCallerIdentity' }]);
    const watch = await runCli(['watch-denied', '-w', workspace, '-o', 'json'], { endpoint: endpoint ?? '' });
    expect(watch.code, watch.stderr).toBe(0);
  });

  afterEach(async () => {
    for (const session of sessions.splice(0)) await session.kill();
    destroyEmulatorClients(clients);
    await rm(scratch, { recursive: true, force: true });
  });

  async function startSession(name: string): Promise<TerminalSession> {
    const env = buildCliEnv({ endpoint: endpoint ?? '' }, scratch);
    const session = await TerminalSession.start(`${name}-${process.pid}`, scratch, { ...env, TERM: 'xterm-256color' }, REPO_ROOT, `node '${CLI_BIN}' -w '${workspace}'`);
    sessions.push(session);
    await session.waitFor(MENU, 90_000);
    return session;
  }

  const denied = async (user: string) => ((await clients.iam.send(new ListUserPoliciesCommand({ UserName: user }))).PolicyNames ?? []).includes('iam2idc-deny-all');

  it('walks the menu with the arrow keys, refuses a wrong account ID, survives Ctrl-C mid-step, and disables on the right ID after a restart', { timeout: 300_000 }, async () => {
    const first = await startSession('iam2idc-session-1');
    // The recommended step comes first; moving away and back lands on it again.
    await first.waitFor(CURSOR_ON(/iam2idc disable/));
    await first.send('Down');
    await first.waitFor(CURSOR_ON(/per-user status|Open /));
    await first.send('Up');
    await first.waitFor(CURSOR_ON(/iam2idc disable/));
    await first.send('Enter');
    await first.waitFor(TYPED_PROMPT, 90_000);
    await first.send('999999999999', 'Enter');
    // Refused: the session reports it and offers the menu again; nothing was switched off.
    await first.waitForCount(MENU, 2);
    expect(await denied('alice.admin')).toBe(false);

    // The same step again, then Ctrl-C at its confirmation: the session ends, with nothing applied.
    await first.waitFor(CURSOR_ON(/iam2idc disable/));
    await first.send('Enter');
    await first.waitForCount(TYPED_PROMPT, 2);
    await first.send('C-c');
    expect(await first.waitFor(/EXIT=\d+/)).toMatch(/EXIT=130/);
    expect(await denied('alice.admin')).toBe(false);

    // A restart picks up where it stood: the same next step, and this time the right account ID.
    const second = await startSession('iam2idc-session-2');
    await second.waitFor(CURSOR_ON(/iam2idc disable/));
    await second.send('Enter');
    await second.waitFor(TYPED_PROMPT, 90_000);
    await second.send(seeded.accountId, 'Enter');
    await second.waitFor(/user\(s\) disabled[\s\S]*What next\?/, 120_000);
    expect(await denied('alice.admin')).toBe(true);
    expect(await denied('break-glass-admin')).toBe(false);

    // "Stop here" is the last entry: up from the top wraps to it.
    await second.waitFor(CURSOR_ON(/./));
    await second.send('Up');
    await second.waitFor(CURSOR_ON(/Stop here/));
    await second.send('Enter');
    expect(await second.waitFor(/EXIT=\d+/)).toMatch(/EXIT=0/);
  });
});


