import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.js';
import { completeDesiredUsers, IdentityInputError, readDesiredIdentities, type DesiredIdentities } from '../../../src/phases/assign/identities/desired-identities.js';
import { auditUser, mapping } from '../identities/fixtures.js';

/** What `assign` reads before it asks: `jdoe` lacks every field, `jane.doe` only an email. */
function desiredWithGaps(): DesiredIdentities {
  return readDesiredIdentities(mapping({ jdoe: {}, 'jane.doe': {}, ops: { email: 'ops@corp.example', givenName: 'Ops', familyName: 'Team' } }), [
    auditUser('ops'),
  ]);
}

function refusal(fn: () => unknown): IdentityInputError {
  try {
    fn();
  } catch (error) {
    if (error instanceof IdentityInputError) return error;
    throw error;
  }
  throw new Error('expected the answers to be refused');
}

describe('answers to the fields assign asks for', () => {
  it('Given users missing fields, When read, Then exactly those fields are listed as missing', () => {
    const desired = desiredWithGaps();

    expect(desired.missing).toEqual([
      { user: 'jdoe', field: 'email' },
      { user: 'jdoe', field: 'displayName' },
      { user: 'jdoe', field: 'givenName' },
      { user: 'jdoe', field: 'familyName' },
      { user: 'jane.doe', field: 'email' },
    ]);
  });

  it('Given answers for every missing field, When completed, Then the fields are filled (trimmed), nothing is missing and the input is left as it was', () => {
    const desired = desiredWithGaps();
    const before = structuredClone(desired);

    const done = completeDesiredUsers(desired, {
      jdoe: { email: '  j.doe@corp.example ', displayName: 'J Doe', givenName: 'J', familyName: 'Doe' },
      'jane.doe': { email: 'jane@corp.example' },
    });

    expect(done.missing).toEqual([]);
    expect(done.users.find((u) => u.iamUserName === 'jdoe')).toMatchObject({
      email: 'j.doe@corp.example',
      displayName: 'J Doe',
      givenName: 'J',
      familyName: 'Doe',
      origins: { email: 'mapping', displayName: 'mapping', givenName: 'mapping', familyName: 'mapping' },
    });
    expect(done.users.find((u) => u.iamUserName === 'jane.doe')).toMatchObject({ email: 'jane@corp.example', givenName: 'Jane', familyName: 'Doe', origins: { email: 'mapping', givenName: 'derived' } });
    expect(desired).toEqual(before);
  });

  it('Given answers for only some fields, or blank ones, When completed, Then the others stay missing', () => {
    const done = completeDesiredUsers(desiredWithGaps(), { jdoe: { email: 'j.doe@corp.example', givenName: '   ' } });

    expect(done.missing).toEqual([
      { user: 'jdoe', field: 'displayName' },
      { user: 'jdoe', field: 'givenName' },
      { user: 'jdoe', field: 'familyName' },
      { user: 'jane.doe', field: 'email' },
    ]);
  });

  it('Given an answer for a field another source already gave, When completed, Then the known value is kept', () => {
    const done = completeDesiredUsers(desiredWithGaps(), { ops: { email: 'other@corp.example', givenName: 'Other' } });

    expect(done.users.find((u) => u.iamUserName === 'ops')).toMatchObject({ email: 'ops@corp.example', givenName: 'Ops' });
  });

  it.each(['not-an-email', 'jdoe@', '@corp.example', 'j doe@corp.example'])('Given the malformed email %j as an answer, When completed, Then it is refused as a usage error naming the field', (answer) => {
    const error = refusal(() => completeDesiredUsers(desiredWithGaps(), { jdoe: { email: answer } }));

    expect(error).toBeInstanceOf(UserError);
    expect(error.code).toBe('IDENTITY_INPUT_INVALID');
    expect(error.exitCode).toBe(2);
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatchObject({ field: 'users.jdoe.email' });
    expect(error.problems[0]?.message).toContain('not a valid email address');
  });

  it('Given an answered email that another user already has, When completed, Then it is refused: each person needs their own', () => {
    const error = refusal(() => completeDesiredUsers(desiredWithGaps(), { 'jane.doe': { email: 'OPS@corp.example' } }));

    expect(error).toBeInstanceOf(UserError);
    expect(error.problems).toEqual([expect.objectContaining({ field: 'users.ops.email', message: expect.stringContaining('each person needs their own') as unknown })]);
  });

  it('Given no answers at all, When completed, Then nothing changes and every field is still missing', () => {
    const desired = desiredWithGaps();

    const done = completeDesiredUsers(desired, {});

    expect(done.missing).toEqual(desired.missing);
    expect(done.users).toEqual(desired.users);
  });
});
