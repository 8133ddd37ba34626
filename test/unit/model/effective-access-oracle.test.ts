/**
 * The evaluator judged by one it did not write: @cloud-copilot/iam-simulate (a devDependency used only
 * here; it is AGPL and never reaches src/). Random identity policies and boundaries over a small
 * alphabet of actions, resources and a region condition, every context key known: both must agree
 * on allowed, explicitly denied and not allowed, and ours must never be undecided.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { describe, expect, it } from 'vitest';
import { evaluateAccess, type AccessDecision, type NamedPolicy } from '../../../src/model/effective-access.js';
import type { PolicyDocument, PolicyStatement } from '../../../src/model/inventory.js';
import { seededRandom } from '../support/seeded-random.js';

const ACCOUNT = '111111111111';
const PRINCIPAL = `arn:aws:iam::${ACCOUNT}:user/alice`;
const CASES = 300;

/** Each action with a resource of a type it acts on: the oracle checks that pairing. */
const REQUESTS = [
  { action: 's3:GetObject', resource: 'arn:aws:s3:::prod-data/report.csv' },
  { action: 's3:DeleteObject', resource: 'arn:aws:s3:::dev-data/tmp.txt' },
  { action: 's3:PutObject', resource: 'arn:aws:s3:::prod-data/upload.bin' },
  { action: 'sqs:DeleteQueue', resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:jobs` },
  { action: 'sqs:SendMessage', resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:jobs` },
  { action: 'iam:CreateUser', resource: `arn:aws:iam::${ACCOUNT}:user/bob` },
  { action: 'iam:ChangePassword', resource: `arn:aws:iam::${ACCOUNT}:user/alice` },
];
const ACTION_PATTERNS = ['*', 's3:*', 's3:Get*', 's3:*Object', 's3:DeleteObject', 'sqs:*', 'sqs:DeleteQueue', 'iam:*', 'iam:Create*', 'iam:ChangePassword'];
const RESOURCE_PATTERNS = ['*', 'arn:aws:s3:::prod-data/*', 'arn:aws:s3:::*-data/tmp*', `arn:aws:sqs:*:${ACCOUNT}:*`, `arn:aws:iam::${ACCOUNT}:user/\${aws:username}`, `arn:aws:iam::${ACCOUNT}:user/*`];
const REGIONS = ['us-east-1', 'eu-west-1'];

function statement(next: () => number): PolicyStatement {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const some = <T>(items: readonly T[]): T[] => [...new Set([pick(items), ...(next() < 0.3 ? [pick(items)] : [])])];
  const actions = some(ACTION_PATTERNS);
  const resources = some(RESOURCE_PATTERNS);
  return {
    Effect: next() < 0.3 ? 'Deny' : 'Allow',
    ...(next() < 0.2 ? { NotAction: actions } : { Action: actions }),
    ...(next() < 0.15 ? { NotResource: resources } : { Resource: resources }),
    ...(next() < 0.25 ? { Condition: { [next() < 0.5 ? 'StringEquals' : 'StringNotEquals']: { 'aws:RequestedRegion': pick(REGIONS) } } } : {}),
  };
}

function document(next: () => number, statements: number): PolicyDocument {
  return { Version: '2012-10-17', Statement: Array.from({ length: statements }, () => statement(next)) };
}

const ORACLE: Record<string, AccessDecision> = { Allowed: 'allowed', ExplicitlyDenied: 'denied', ImplicitlyDenied: 'not-allowed' };

describe('evaluateAccess against an independent IAM simulator', () => {
  it(`agrees with it on ${CASES} random principals and requests`, async () => {
    const next = seededRandom(20261207);
    const disagreements: string[] = [];
    for (let i = 0; i < CASES; i += 1) {
      const identity: NamedPolicy[] = Array.from({ length: 1 + Math.floor(next() * 3) }, (_, n) => ({ source: `policy-${n}`, document: document(next, 1 + Math.floor(next() * 3)) }));
      const boundary: NamedPolicy | null = next() < 0.3 ? { source: 'boundary', document: document(next, 1 + Math.floor(next() * 2)) } : null;
      const request = REQUESTS[Math.floor(next() * REQUESTS.length)] as (typeof REQUESTS)[number];
      const region = REGIONS[Math.floor(next() * REGIONS.length)] as string;
      const ours = evaluateAccess({ identity, boundary }, { ...request, context: { 'aws:requestedregion': region, 'aws:username': 'alice' } }).decision;
      const simulated = await runSimulation(
        {
          identityPolicies: identity.map((p) => ({ name: p.source, policy: p.document })),
          serviceControlPolicies: [],
          resourceControlPolicies: [],
          ...(boundary ? { permissionBoundaryPolicies: [{ name: boundary.source, policy: boundary.document }] } : {}),
          request: { action: request.action, principal: PRINCIPAL, resource: { resource: request.resource, accountId: ACCOUNT }, contextVariables: { 'aws:RequestedRegion': region, 'aws:username': 'alice' } },
        },
        {},
      );
      const overall = (simulated as { overallResult?: string; errors?: unknown }).overallResult;
      if (overall === undefined) throw new Error(`the simulator refused case ${i}: ${JSON.stringify(simulated).slice(0, 500)}`);
      if (ORACLE[overall] !== ours) disagreements.push(`case ${i}: ours ${ours}, simulator ${overall}: ${JSON.stringify({ identity, boundary, request, region })}`);
    }
    expect(disagreements).toEqual([]);
  });
});
