/**
 * Which kind of policy denied a call, read from the error message AWS returns (and CloudTrail keeps).
 * Since 2021–2023 most services say it: "User: <arn> is not authorized to perform: <action> on
 * resource: <arn> because no identity-based policy allows the <action> action", or "… with an
 * explicit deny in a service control policy".
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
 *
 * Only an implicit denial by the identity-based policy can be fixed by the permission set: an
 * Allow added to it changes nothing against an SCP, a boundary, a session or resource policy, or an
 * explicit Deny.
 */

export type DeniedBy =
  | 'identity-policy'
  | 'service-control-policy'
  | 'resource-control-policy'
  | 'permissions-boundary'
  | 'session-policy'
  | 'resource-policy'
  | 'vpc-endpoint-policy'
  | 'unknown';

export interface DenialCause {
  deniedBy: DeniedBy;
  /** true: an explicit Deny; false: no Allow; null: the message does not say. */
  explicit: boolean | null;
  /** Whether adding an Allow to the permission set would let the call through. */
  fixableByPermissionSet: boolean;
  /** The IAM action the message names (`s3:GetObject`), the most exact source of the action. */
  action: string | null;
  /** The resource the message names, when it is an ARN. */
  resource: string | null;
}

const POLICY_KINDS: readonly [RegExp, DeniedBy][] = [
  [/identity[- ]based polic(?:y|ies)/, 'identity-policy'],
  [/service control polic(?:y|ies)/, 'service-control-policy'],
  [/resource control polic(?:y|ies)/, 'resource-control-policy'],
  [/permissions? boundar(?:y|ies)/, 'permissions-boundary'],
  [/session polic(?:y|ies)/, 'session-policy'],
  [/resource[- ]based polic(?:y|ies)/, 'resource-policy'],
  [/vpc endpoint polic(?:y|ies)/, 'vpc-endpoint-policy'],
];

const ACTION_IN_MESSAGE = /is not authorized to perform: ([a-z0-9-]+:[A-Za-z0-9*]+)/;
// S3 quotes the ARN, other services do not; an ARN never holds white space or quotes.
const RESOURCE_IN_MESSAGE = /on resource: "?(arn:[^\s"]+)/;

/** Reads the cause of a denial from its error message; a message that says nothing is `unknown`. */
export function classifyDenial(errorMessage: string | null): DenialCause {
  const message = errorMessage ?? '';
  const lower = message.toLowerCase();
  let deniedBy: DeniedBy = 'unknown';
  let explicit: boolean | null = null;
  const explicitAt = lower.indexOf('explicit deny');
  const implicitAt = lower.search(/because no .{0,40}?allows/);
  const clauseStart = explicitAt >= 0 ? explicitAt : implicitAt;
  if (clauseStart >= 0) {
    const clause = lower.slice(clauseStart);
    const kind = POLICY_KINDS.find(([pattern]) => pattern.test(clause));
    if (kind) {
      deniedBy = kind[1];
      explicit = explicitAt >= 0;
    }
  }
  return {
    deniedBy,
    explicit,
    fixableByPermissionSet: deniedBy === 'identity-policy' && explicit === false,
    action: ACTION_IN_MESSAGE.exec(message)?.[1] ?? null,
    resource: RESOURCE_IN_MESSAGE.exec(message)?.[1] ?? null,
  };
}

/** What the operator can do about a denial of each kind, in one sentence. */
export function denialGuidance(cause: Pick<DenialCause, 'deniedBy' | 'explicit'>): string {
  switch (cause.deniedBy) {
    case 'identity-policy':
      return cause.explicit
        ? 'An explicit Deny in an identity policy (the permission set itself, or a policy it attaches): adding an Allow does not help; narrow or remove the Deny.'
        : 'The permission set does not allow it: add the action (watch-denied --suggest proposes it).';
    case 'service-control-policy':
      return 'A service control policy of AWS Organizations blocks it for the whole account: the permission set cannot change that; ask the organization administrators.';
    case 'resource-control-policy':
      return 'A resource control policy of AWS Organizations blocks it: the permission set cannot change that; ask the organization administrators.';
    case 'permissions-boundary':
      return "The permission set's permissions boundary does not allow it: widen the boundary (permissionsBoundary in mapping.yaml) if it should.";
    case 'session-policy':
      return 'A session policy passed when the role was assumed limits it: the permission set cannot change that; check the tool or script that assumed the role.';
    case 'resource-policy':
      return "The resource's own policy (bucket, key, queue, topic…) does not allow this principal: update the resource policy, for example to allow the AWSReservedSSO_ role.";
    case 'vpc-endpoint-policy':
      return 'The VPC endpoint the call went through does not allow it: update the endpoint policy.';
    case 'unknown':
      return 'The error message does not say which policy denied it (EC2 encodes it: aws sts decode-authorization-message); check the permission set first.';
  }
}
