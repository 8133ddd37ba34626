/**
 * The requests verify asks both sides about, for one person: every action their policies name, every
 * action a wildcard of one service expands to, a few actions of every service (what `*` and other
 * wildcards across services reach), each on `*`, on an example ARN of each of the action's resource
 * types, and on the resources the policies name for that service.
 */
import { canonicalAction, expandActionPattern } from '../../model/iam-actions/action-catalog.js';
import { exampleResourceArns, SAMPLE_NAME, stratifiedActionSample, type ArnPlace } from '../../model/iam-actions/action-resources.js';
import { statementsOf, toArray } from '../../model/policy-statements.js';
import type { PolicyDocument } from '../../model/inventory.js';

export interface SampleRequest {
  action: string;
  resource: string;
}

/** A wildcard across services (`*:Get*`) can reach thousands of actions: probe an even spread of them. */
const CROSS_SERVICE_SPREAD = 600;
/** Resources named in the policies, per service, beyond which the rest are left to `*` and the examples. */
const NAMED_RESOURCES_PER_SERVICE = 20;

export interface SampleInput {
  documents: readonly PolicyDocument[];
  /** Policy variables of the IAM user (`aws:username` …), to turn `user/${aws:username}` into its own ARN. */
  variables: Readonly<Record<string, string>>;
  place: ArnPlace;
}

export async function sampleRequests(input: SampleInput): Promise<SampleRequest[]> {
  const statements = input.documents.flatMap((d) => statementsOf(d));
  const patterns = new Set(statements.flatMap((s) => [...toArray(s.Action), ...toArray(s.NotAction)]).filter((p): p is string => typeof p === 'string'));
  const actions = new Set(await stratifiedActionSample());
  for (const pattern of patterns) for (const action of await actionsOf(pattern)) actions.add(action);

  const named = namedResourcesByService(statements.flatMap((s) => [...toArray(s.Resource), ...toArray(s.NotResource)]), input.variables);
  const requests: SampleRequest[] = [];
  for (const action of [...actions].sort()) {
    const service = action.slice(0, action.indexOf(':')).toLowerCase();
    const resources = new Set(['*', ...(await exampleResourceArns(action, input.place)), ...(named.get(service) ?? [])]);
    for (const resource of resources) requests.push({ action, resource });
  }
  return requests;
}

async function actionsOf(pattern: string): Promise<string[]> {
  if (!/[*?]/.test(pattern)) return [(await canonicalAction(pattern)) ?? pattern];
  if (/^\*+(:\*+)?$/.test(pattern)) return [];
  const expanded = await expandActionPattern(pattern);
  const service = pattern.slice(0, Math.max(pattern.indexOf(':'), 0));
  if (!/[*?]/.test(service) || expanded.length <= CROSS_SERVICE_SPREAD) return expanded;
  const step = expanded.length / CROSS_SERVICE_SPREAD;
  return Array.from({ length: CROSS_SERVICE_SPREAD }, (_, i) => expanded[Math.floor(i * step)] as string);
}

/**
 * The resource patterns of the policies as concrete ARNs, by service: the IAM user's variables filled
 * in, any other variable and every wildcard replaced by a sample name, so that each stands for a
 * resource the pattern really matches (`arn:aws:s3:::prod-*` → `arn:aws:s3:::prod-iam2idc-sample`).
 */
function namedResourcesByService(patterns: readonly unknown[], variables: Readonly<Record<string, string>>): Map<string, string[]> {
  const lowerVariables = new Map(Object.entries(variables).map(([k, v]) => [k.toLowerCase(), v]));
  const byService = new Map<string, string[]>();
  for (const pattern of new Set(patterns)) {
    if (typeof pattern !== 'string' || !pattern.startsWith('arn:')) continue;
    const concrete = pattern
      .replace(/\$\{([^}]*)\}/g, (_, name: string) => lowerVariables.get(name.toLowerCase()) ?? (name === '*' || name === '?' || name === '$' ? name : SAMPLE_NAME))
      .replace(/\*/g, SAMPLE_NAME)
      .replace(/\?/g, 'x');
    const service = concrete.split(':')[2]?.toLowerCase() ?? '';
    const list = byService.get(service) ?? [];
    if (list.length < NAMED_RESOURCES_PER_SERVICE && !list.includes(concrete)) list.push(concrete);
    byService.set(service, list);
  }
  return byService;
}
