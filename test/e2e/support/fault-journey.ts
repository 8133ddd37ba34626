/**
 * A small account for the fault scenarios, and the phases that make its workspace ready for disable.
 * Three people are enough to have work in flight at once (the engine runs four IAM calls at a time)
 * and keep each run to a few seconds; the seeded sandbox's 25 users would make the file too slow.
 */
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { expect } from 'vitest';
import type { EmulatorClients } from './aws-clients.js';
import type { CliResult } from './run-cli.js';
import { allow, createGroup, createUser, doc, type SeededUser } from './seed-helpers.js';

/** The people of the account, all disabled by a plain `disable`. */
export const PEOPLE = ['ann.lee', 'ben.ortiz', 'cleo.park'];

export interface FaultAccount {
  accountId: string;
  users: SeededUser[];
}

/** People with a console password, MFA and keys: audit calls them human, so disable takes them. */
export async function seedFaultAccount(clients: EmulatorClients): Promise<FaultAccount> {
  const accountId = (await clients.sts.send(new GetCallerIdentityCommand({}))).Account!;
  await createGroup(clients.iam, { name: 'Readers', managed: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] });
  const person = { expectedKind: 'human', console: true, mfa: true, nonAdmin: true } as const;
  const users = [
    await createUser(clients, { ...person, name: 'ann.lee', groups: ['Readers'], keys: 2, tags: { email: 'ann@example.com' } }),
    await createUser(clients, { ...person, name: 'ben.ortiz', groups: ['Readers'], keys: 1, inline: { notes: doc(allow(['s3:GetObject'], ['arn:aws:s3:::team-notes/*'])) } }),
    await createUser(clients, { ...person, name: 'cleo.park', groups: ['Readers'], keys: 1, inactiveKeys: 1 }),
  ];
  return { accountId, users };
}

/**
 * Seeds the account, then audit → generate-policies → create-permission-sets → assign and, when
 * asked, disable: straight against moto (`direct`), with no fault.
 */
export async function readyAccount(clients: EmulatorClients, direct: (args: string[]) => Promise<CliResult>, options: { disable?: boolean } = {}): Promise<FaultAccount> {
  const account = await seedFaultAccount(clients);
  const steps = [['audit'], ['generate-policies'], ['create-permission-sets', '--yes'], ['assign', '--yes', '--email-template', '{user}@corp.example']];
  if (options.disable) steps.push(['disable', '--yes', '--confirm-account', account.accountId]);
  for (const step of steps) {
    const run = await direct(step);
    expect(run.code, `${step[0]}: ${run.stderr}`).toBe(0);
  }
  return account;
}
