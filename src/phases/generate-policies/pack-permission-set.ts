/**
 * Packing what a source grants into what a permission set can carry: AWS-managed attachments,
 * customer-managed references, and one inline policy of at most 10,240 characters.
 *
 * When the inline policy is too large, whole statements move into customer-managed "overflow"
 * policies (`iam2idc-<Set>-<n>`, path `/iam2idc/`, each within the 6,144-character IAM limit) that
 * the operator creates in every target account. Statements are placed by first-fit decreasing
 * (largest first, into the first document with room, the inline policy first since it costs no
 * attachment), which is deterministic. A plain `Action` statement too large for an overflow
 * policy is split into several with the same Effect, resources and condition (meaning unchanged).
 * A statement that cannot be split stays inline, with an error if it does not fit there:
 * nothing is ever dropped.
 */
import { statementsOf, toArray } from '../../model/policy-statements.js';
import type { PolicyDocument, PolicyStatement } from '../../model/inventory.js';
import { mergeStatements, normaliseActionStatement } from './merge-statements.js';
import { countJsonValueChars, countPolicyChars, EMPTY_POLICY_DOCUMENT_CHARS, IAM_MANAGED_POLICY_CHARS } from '../../model/policy-size.js';
import {
  PERMISSION_SET_LIMITS,
  type OverflowPolicy,
  type PackedPermissionSet,
  type PackingOptions,
  type PolicyNote,
  type SourcePolicies,
} from './types.js';

/** The IAM path of the overflow policies, so that they are easy to find and clean up. */
export const OVERFLOW_POLICY_PATH = '/iam2idc/';

const POLICY_VERSION = '2012-10-17';
/** What one statement may cost at most to fit in an overflow policy on its own. */
const OVERFLOW_STATEMENT_CHARS = IAM_MANAGED_POLICY_CHARS - EMPTY_POLICY_DOCUMENT_CHARS;

/** The workspace file an overflow policy is written to, and that the `create-policy` command in its note reads. */
export function overflowPolicyFile(policyName: string): string {
  return `policies/${policyName}.json`;
}

/**
 * Packs a permission set's source policies within the permission-set limits. Pure: same input,
 * same output (byte for byte once serialised). Everything the operator must know or do is a note.
 */
export function packPermissionSet(sources: SourcePolicies, options: PackingOptions): PackedPermissionSet {
  const set = sources.permissionSet;
  const notes: PolicyNote[] = [];
  const managedPolicies = [...new Set(sources.awsManagedPolicyArns)];
  const customerManagedPolicies: { name: string; path: string }[] = [];
  const statements: PolicyStatement[] = sources.inline.flatMap((source) => statementsOf(source.document));
  for (const policy of sources.customerManaged) {
    if (options.customerManagedAvailable) {
      if (!customerManagedPolicies.some((ref) => ref.name === policy.name && ref.path === policy.path)) {
        customerManagedPolicies.push({ name: policy.name, path: policy.path });
      }
      continue;
    }
    statements.push(...statementsOf(policy.document));
    notes.push({
      code: 'CUSTOMER_MANAGED_INLINED',
      severity: 'info',
      message:
        `${set}: the customer-managed policy ${policy.path}${policy.name} is copied into the inline policy. A permission set can ` +
        'only reference a customer-managed policy that exists under the same name and path in every account it is assigned to, ' +
        'and that is not known to hold for all of its target accounts.',
    });
  }

  const merged = mergeStatements(statements);
  const layout = distributeStatements(merged);
  const overflowPolicies = nameOverflowPolicies(set, layout.overflow, customerManagedPolicies);
  for (const overflow of overflowPolicies) {
    customerManagedPolicies.push({ name: overflow.name, path: overflow.path });
    notes.push(overflowNote(set, overflow));
  }
  const inlinePolicy = layout.inline.length > 0 ? toDocument(layout.inline) : null;
  if (inlinePolicy && countPolicyChars(inlinePolicy) > PERMISSION_SET_LIMITS.inlinePolicyChars) {
    for (const statement of layout.unsplittable) notes.push(tooLargeNote(set, statement, countPolicyChars(inlinePolicy)));
  }
  notes.push(...attachmentNotes(set, managedPolicies.length + customerManagedPolicies.length));
  if (managedPolicies.length === 0 && customerManagedPolicies.length === 0 && inlinePolicy === null) {
    notes.push({
      code: 'NO_PERMISSIONS',
      severity: 'warning',
      message: `${set}: its ${sources.source.kind} ${sources.source.name} has no policies, so the permission set would grant nothing.`,
    });
  }
  return { permissionSet: set, managedPolicies, customerManagedPolicies, inlinePolicy, overflowPolicies, notes };
}

interface Layout {
  inline: PolicyStatement[];
  overflow: PolicyStatement[][];
  /** Statements larger than an overflow policy may hold that could not be split: they stay inline. */
  unsplittable: PolicyStatement[];
}

interface Piece {
  statement: PolicyStatement;
  size: number;
  order: number;
}

interface Bin {
  capacity: number;
  used: number;
  pieces: Piece[];
}

function distributeStatements(statements: PolicyStatement[]): Layout {
  if (statements.length === 0 || countPolicyChars(toDocument(statements)) <= PERMISSION_SET_LIMITS.inlinePolicyChars) {
    return { inline: statements, overflow: [], unsplittable: [] };
  }
  const pieces = statements
    .flatMap((statement) => splitStatement(statement, OVERFLOW_STATEMENT_CHARS))
    .map((statement, order): Piece => ({ statement, size: countJsonValueChars(statement), order }));
  const inline: Bin = { capacity: PERMISSION_SET_LIMITS.inlinePolicyChars, used: EMPTY_POLICY_DOCUMENT_CHARS, pieces: [] };
  const unsplittable = pieces.filter((piece) => piece.size > OVERFLOW_STATEMENT_CHARS);
  for (const piece of unsplittable) addToBin(inline, piece);
  const overflow: Bin[] = [];
  const rest = pieces.filter((piece) => piece.size <= OVERFLOW_STATEMENT_CHARS).sort((a, b) => b.size - a.size || a.order - b.order);
  for (const piece of rest) {
    const bin = [inline, ...overflow].find((candidate) => fits(candidate, piece));
    if (bin) {
      addToBin(bin, piece);
      continue;
    }
    const created: Bin = { capacity: IAM_MANAGED_POLICY_CHARS, used: EMPTY_POLICY_DOCUMENT_CHARS, pieces: [] };
    addToBin(created, piece);
    overflow.push(created);
  }
  // Statement order does not matter to IAM, but the source order is easier to review.
  const inOrder = (bin: Bin) => [...bin.pieces].sort((a, b) => a.order - b.order).map((piece) => piece.statement);
  return { inline: inOrder(inline), overflow: overflow.map(inOrder), unsplittable: unsplittable.map((piece) => piece.statement) };
}

/** A comma separates each statement from the previous one. */
function fits(bin: Bin, piece: Piece): boolean {
  return bin.used + piece.size + (bin.pieces.length > 0 ? 1 : 0) <= bin.capacity;
}

function addToBin(bin: Bin, piece: Piece): void {
  bin.used += piece.size + (bin.pieces.length > 0 ? 1 : 0);
  bin.pieces.push(piece);
}

/**
 * Splits a plain `Action` statement larger than `capacity` into statements of at most `capacity`
 * characters: first by actions, then (for a single action) by resources. `Allow A,B on R` is
 * `Allow A on R` plus `Allow B on R`, and `Allow A on R1,R2` is `Allow A on R1` plus `Allow A on R2`;
 * a NotResource list cannot be split that way. Only the first part keeps the Sid, which must stay unique.
 * A statement that cannot be split (or not enough) comes back as it is, larger than `capacity`.
 */
function splitStatement(statement: PolicyStatement, capacity: number): PolicyStatement[] {
  if (countJsonValueChars(statement) <= capacity) return [statement];
  const normalised = normaliseActionStatement(statement);
  if (normalised === null) return [statement];
  if (normalised.Action.length > 1) {
    return chunkList(normalised, 'Action', normalised.Action, capacity).flatMap((part) => splitStatement(part, capacity));
  }
  const resources = toArray(normalised.Resource);
  if (normalised.Resource !== undefined && resources.length > 1) return chunkList(normalised, 'Resource', resources, capacity);
  return [statement];
}

/** Greedy chunks of one list element, each statement within `capacity` where a single item allows it. */
function chunkList(statement: PolicyStatement, key: 'Action' | 'Resource', items: string[], capacity: number): PolicyStatement[] {
  const { Sid: sid, ...withoutSid } = statement;
  const baseSize = countJsonValueChars({ ...statement, [key]: [] });
  const chunks: string[][] = [];
  let current: string[] = [];
  let size = baseSize;
  for (const item of items) {
    const itemSize = countJsonValueChars(item) + (current.length > 0 ? 1 : 0);
    if (current.length > 0 && size + itemSize > capacity) {
      chunks.push(current);
      current = [];
      size = baseSize;
    }
    size += countJsonValueChars(item) + (current.length > 0 ? 1 : 0);
    current.push(item);
  }
  chunks.push(current);
  return chunks.map((chunk, index) => structuredClone({ ...(index === 0 && sid !== undefined ? { Sid: sid } : {}), ...withoutSid, [key]: chunk }));
}

function nameOverflowPolicies(set: string, documents: PolicyStatement[][], taken: { name: string }[]): OverflowPolicy[] {
  // Policy names are unique in an account whatever their path, and compared ignoring case.
  const used = new Set(taken.map((ref) => ref.name.toLowerCase()));
  const policies: OverflowPolicy[] = [];
  let n = 0;
  for (const statements of documents) {
    let name: string;
    do {
      n += 1;
      name = `iam2idc-${set}-${n}`;
    } while (used.has(name.toLowerCase()));
    used.add(name.toLowerCase());
    policies.push({ name, path: OVERFLOW_POLICY_PATH, document: toDocument(statements) });
  }
  return policies;
}

function toDocument(statements: PolicyStatement[]): PolicyDocument {
  return { Version: POLICY_VERSION, Statement: statements };
}

function overflowNote(set: string, overflow: OverflowPolicy): PolicyNote {
  const statements = statementsOf(overflow.document).length;
  return {
    code: 'OVERFLOW_POLICY',
    severity: 'warning',
    message:
      `${set}: the inline policy would be over ${formatCount(PERMISSION_SET_LIMITS.inlinePolicyChars)} characters, so ${statements} ` +
      `statement(s) moved to the customer-managed policy ${overflow.path}${overflow.name}. Create it in every target account before ` +
      `provisioning: aws iam create-policy --policy-name ${overflow.name} --path ${overflow.path} --policy-document file://${overflowPolicyFile(overflow.name)}`,
  };
}

function tooLargeNote(set: string, statement: PolicyStatement, inlineChars: number): PolicyNote {
  const label = statement.Sid !== undefined ? `statement ${String(statement.Sid)}` : 'a statement';
  return {
    code: 'STATEMENT_TOO_LARGE',
    severity: 'error',
    message:
      `${set}: ${label} has ${formatCount(countJsonValueChars(statement))} characters, more than a customer-managed policy may hold ` +
      `(${formatCount(IAM_MANAGED_POLICY_CHARS)}), and cannot be split (NotAction, NotResource, Principal or one action on one resource). ` +
      `It stays in the inline policy, which is then ${formatCount(inlineChars)} characters, over the ` +
      `${formatCount(PERMISSION_SET_LIMITS.inlinePolicyChars)} limit: shorten it (wildcards, fewer resources or conditions) in the policy file.`,
  };
}

function attachmentNotes(set: string, attachments: number): PolicyNote[] {
  if (attachments > PERMISSION_SET_LIMITS.attachments) {
    return [
      {
        code: 'TOO_MANY_ATTACHMENTS',
        severity: 'error',
        message:
          `${set}: ${attachments} managed and customer-managed policies, but a permission set takes at most ${PERMISSION_SET_LIMITS.attachments}. ` +
          'Split the source into several permission sets, or replace some attachments with statements in the inline policy.',
      },
    ];
  }
  if (attachments > PERMISSION_SET_LIMITS.roleManagedPolicyQuota) {
    return [
      {
        code: 'ROLE_POLICY_QUOTA',
        severity: 'warning',
        message:
          `${set}: ${attachments} managed and customer-managed policies. IAM roles take ${PERMISSION_SET_LIMITS.roleManagedPolicyQuota} by default, ` +
          'so provisioning fails in a target account until its "Managed policies per role" quota is raised (Service Quotas → AWS Identity ' +
          `and Access Management (IAM), up to ${PERMISSION_SET_LIMITS.attachments}).`,
      },
    ];
  }
  return [];
}

/** 10240 → `10,240`, without depending on the ICU data Node was built with. */
function formatCount(count: number): string {
  return String(count).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
