import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.js';
import { ExitCode } from '../../../src/exit-codes.js';
import {
  IdentityInputError,
  completeDesiredUsers,
  deriveNames,
  missingFieldsError,
  readDesiredIdentities,
} from '../../../src/phases/assign/identities/desired-identities.js';
import { auditUser, mapping } from './fixtures.js';

function thrown(fn: () => unknown): IdentityInputError {
  try {
    fn();
  } catch (error) {
    if (error instanceof IdentityInputError) return error;
    throw error;
  }
  throw new Error('expected an IdentityInputError');
}

describe('readDesiredIdentities: where each field comes from', () => {
  it('Given fields in the mapping and in tags, When read, Then the mapping wins over the tags', () => {
    const m = mapping({ 'jane.doe': { email: 'jane@corp.example', givenName: 'Janet', familyName: 'Doe', displayName: 'Janet Doe' } });
    const { users, missing } = readDesiredIdentities(m, [auditUser('jane.doe', { Email: 'other@corp.example', FirstName: 'X', LastName: 'Y' })]);
    expect(users[0]).toMatchObject({ email: 'jane@corp.example', givenName: 'Janet', familyName: 'Doe', displayName: 'Janet Doe' });
    expect(users[0]?.origins).toEqual({ email: 'mapping', givenName: 'mapping', familyName: 'mapping', displayName: 'mapping' });
    expect(missing).toEqual([]);
  });

  it('Given tags with any casing (EMAIL, firstname, LastName), When read, Then they fill the fields as tag values', () => {
    const m = mapping({ jdoe: {} });
    const { users } = readDesiredIdentities(m, [auditUser('jdoe', { EMAIL: 'j@corp.example', firstname: 'Jane', LastName: 'Doe' })]);
    expect(users[0]).toMatchObject({ email: 'j@corp.example', givenName: 'Jane', familyName: 'Doe', displayName: 'Jane Doe' });
    expect(users[0]?.origins).toMatchObject({ email: 'tag', givenName: 'tag', familyName: 'tag', displayName: 'composed' });
  });

  it('Given GivenName/FamilyName tags, When read, Then they are used like FirstName/LastName', () => {
    const { users } = readDesiredIdentities(mapping({ jdoe: { email: 'j@corp.example' } }), [auditUser('jdoe', { GivenName: 'Ann', FamilyName: 'Lee' })]);
    expect(users[0]).toMatchObject({ givenName: 'Ann', familyName: 'Lee' });
  });

  it('Given an email template and no email elsewhere, When read, Then the email comes from the template with the IAM user name', () => {
    const m = mapping({ 'jane.doe': {}, bob: { email: 'bob@corp.example' } });
    const { users } = readDesiredIdentities(m, [], { emailTemplate: '{user}@corp.example' });
    expect(users.map((u) => [u.email, u.origins.email])).toEqual([
      ['jane.doe@corp.example', 'template'],
      ['bob@corp.example', 'mapping'],
    ]);
  });

  it('Given a user name jane.doe without names anywhere, When read, Then Jane / Doe are derived and marked so', () => {
    const { users } = readDesiredIdentities(mapping({ 'jane.doe': { email: 'jane@corp.example' } }), []);
    expect(users[0]).toMatchObject({ givenName: 'Jane', familyName: 'Doe', displayName: 'Jane Doe' });
    expect(users[0]?.origins).toMatchObject({ givenName: 'derived', familyName: 'derived', displayName: 'derived' });
  });

  it('Given a single-word user name and no email, When read, Then every field is listed as missing', () => {
    const { users, missing } = readDesiredIdentities(mapping({ jdoe: {} }), []);
    expect(users[0]).toMatchObject({ email: null, givenName: null, familyName: null, displayName: null });
    expect(missing).toEqual([
      { user: 'jdoe', field: 'email' },
      { user: 'jdoe', field: 'displayName' },
      { user: 'jdoe', field: 'givenName' },
      { user: 'jdoe', field: 'familyName' },
    ]);
  });

  it('Given machine and skipped users, When read, Then only humans become users and groups keep only human members', () => {
    const m = mapping({ 'jane.doe': { email: 'jane@corp.example', userName: 'jane@corp.example' }, ci: { kind: 'machine' }, old: { kind: 'skip' } }, { Developers: ['jane.doe', 'ci'] });
    const { users, groups } = readDesiredIdentities(m, []);
    expect(users.map((u) => u.userName)).toEqual(['jane@corp.example']);
    expect(groups).toEqual([{ displayName: 'Developers', description: null, members: ['jane@corp.example'] }]);
  });
});

describe('readDesiredIdentities: bad input stops before any AWS call', () => {
  it('Given a malformed email in a tag, When read, Then IDENTITY_INPUT_INVALID names mapping.yaml and the field (exit 2)', () => {
    const error = thrown(() => readDesiredIdentities(mapping({ jane: {} }), [auditUser('jane', { email: 'not-an-email' })]));
    expect(error).toBeInstanceOf(UserError);
    expect(error.code).toBe('IDENTITY_INPUT_INVALID');
    expect(error.exitCode).toBe(ExitCode.UsageError);
    expect(error.problems).toEqual([{ file: 'mapping.yaml', field: 'users.jane.email', message: expect.stringContaining('from an IAM tag') }]);
  });

  it('Given two users with the same email in another case, When read, Then the second is refused as a duplicate', () => {
    const error = thrown(() => readDesiredIdentities(mapping({ a: { email: 'x@corp.example' }, b: { email: 'X@Corp.example' } }), []));
    expect(error.problems).toEqual([{ file: 'mapping.yaml', field: 'users.b.email', message: expect.stringContaining('also the email of a') }]);
  });

  it('Given two IAM users mapped to the same Identity Center user name, When read, Then it is refused', () => {
    const error = thrown(() => readDesiredIdentities(mapping({ a: { userName: 'jane', email: 'a@x.example' }, b: { userName: 'JANE', email: 'b@x.example' } }), []));
    expect(error.problems[0]).toMatchObject({ field: 'users.b.userName' });
  });

  it('Given names over the service limits, When read, Then each is refused with its field', () => {
    const long = 'x'.repeat(1025);
    const error = thrown(() => readDesiredIdentities(mapping({ ['u'.repeat(60)]: { userName: 'n'.repeat(129), email: 'a@x.example' } }), [auditUser('u'.repeat(60), { FirstName: long })]));
    expect(error.problems.map((p) => p.field.split('.').pop())).toEqual(['userName', 'givenName']);
  });

  it('Given an email template without {user}, When read, Then EMAIL_TEMPLATE_INVALID', () => {
    expect(() => readDesiredIdentities(mapping({ a: {} }), [], { emailTemplate: 'all@corp.example' })).toThrow(expect.objectContaining({ code: 'EMAIL_TEMPLATE_INVALID' }));
  });
});

describe('missing fields', () => {
  it('Given missing fields and no prompt, When reported, Then IDENTITY_FIELDS_MISSING names each field (exit 2)', () => {
    const error = missingFieldsError([{ user: 'jdoe', field: 'email' }]);
    expect(error.code).toBe('IDENTITY_FIELDS_MISSING');
    expect(error.exitCode).toBe(ExitCode.UsageError);
    expect(error.problems).toEqual([{ file: 'mapping.yaml', field: 'users.jdoe.email', message: expect.stringContaining('password') }]);
  });

  it('Given answers to the prompts, When completed, Then the fields are filled and checked again', () => {
    const desired = readDesiredIdentities(mapping({ jdoe: {} }), []);
    const done = completeDesiredUsers(desired, { jdoe: { email: 'j@corp.example', givenName: 'J', familyName: 'Doe', displayName: 'J Doe' } });
    expect(done.missing).toEqual([]);
    expect(done.users[0]).toMatchObject({ email: 'j@corp.example', displayName: 'J Doe' });
    expect(() => completeDesiredUsers(desired, { jdoe: { email: 'nope' } })).toThrow(IdentityInputError);
  });

  it('Given user names of several shapes, When names are derived, Then only two or more words give names', () => {
    expect(deriveNames('jane.doe')).toEqual({ givenName: 'Jane', familyName: 'Doe' });
    expect(deriveNames('JANE_van-DOE@corp.example')).toEqual({ givenName: 'Jane', familyName: 'Van Doe' });
    expect(deriveNames('jdoe')).toBeNull();
  });
});
