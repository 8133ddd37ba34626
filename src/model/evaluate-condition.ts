/**
 * A policy statement's `Condition`, judged against what is known of a request: true, false, or
 * unknown when it depends on something the request does not say (a key nobody gave, an operator
 * this evaluator does not implement). Unknown is never read as true: a grant behind it is conditional.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 */
import { matchesResourcePattern, toArray, type PolicyVariables } from './policy-statements.js';

export type Truth = 'true' | 'false' | 'unknown';

/**
 * What is known of a request's context keys, by lower-case key: the values, or null for a key known
 * to be absent (`aws:username` in a role session). A key not listed is unknown.
 */
export type RequestContext = Readonly<Record<string, string | readonly string[] | null>>;

/** Three-valued AND: false wins, then unknown. */
export function allOf(values: Iterable<Truth>): Truth {
  let result: Truth = 'true';
  for (const value of values) {
    if (value === 'false') return 'false';
    if (value === 'unknown') result = 'unknown';
  }
  return result;
}

/** Three-valued OR: true wins, then unknown. */
export function anyOf(values: Iterable<Truth>): Truth {
  let result: Truth = 'false';
  for (const value of values) {
    if (value === 'true') return 'true';
    if (value === 'unknown') result = 'unknown';
  }
  return result;
}

const truth = (value: boolean): Truth => (value ? 'true' : 'false');

type Compare = (actual: string, expected: string) => boolean | null;

const wildcard = (actual: string, expected: string, ignoreCase = false) => matchesResourcePattern(ignoreCase ? expected.toLowerCase() : expected, ignoreCase ? actual.toLowerCase() : actual);
const numeric = (test: (a: number, b: number) => boolean): Compare => (actual, expected) => {
  const a = Number(actual);
  const b = Number(expected);
  return Number.isFinite(a) && Number.isFinite(b) ? test(a, b) : null;
};

/** The operators understood, each as "does one actual value match one expected value". Negation is handled apart. */
const OPERATORS: Readonly<Record<string, { compare: Compare; negated: boolean }>> = {
  stringequals: { compare: (a, e) => a === e, negated: false },
  stringnotequals: { compare: (a, e) => a === e, negated: true },
  stringequalsignorecase: { compare: (a, e) => a.toLowerCase() === e.toLowerCase(), negated: false },
  stringnotequalsignorecase: { compare: (a, e) => a.toLowerCase() === e.toLowerCase(), negated: true },
  stringlike: { compare: (a, e) => wildcard(a, e), negated: false },
  stringnotlike: { compare: (a, e) => wildcard(a, e), negated: true },
  arnequals: { compare: (a, e) => wildcard(a, e), negated: false },
  arnlike: { compare: (a, e) => wildcard(a, e), negated: false },
  arnnotequals: { compare: (a, e) => wildcard(a, e), negated: true },
  arnnotlike: { compare: (a, e) => wildcard(a, e), negated: true },
  bool: { compare: (a, e) => a.toLowerCase() === e.toLowerCase(), negated: false },
  numericequals: { compare: numeric((a, b) => a === b), negated: false },
  numericnotequals: { compare: numeric((a, b) => a === b), negated: true },
  numericlessthan: { compare: numeric((a, b) => a < b), negated: false },
  numericlessthanequals: { compare: numeric((a, b) => a <= b), negated: false },
  numericgreaterthan: { compare: numeric((a, b) => a > b), negated: false },
  numericgreaterthanequals: { compare: numeric((a, b) => a >= b), negated: false },
};

/** Whether a statement's whole Condition block holds: every operator, every key (values of a key are alternatives). */
export function evaluateCondition(condition: unknown, context: RequestContext, variables: PolicyVariables): Truth {
  if (condition === undefined || condition === null) return 'true';
  if (typeof condition !== 'object') return 'unknown';
  const results: Truth[] = [];
  for (const [operator, keys] of Object.entries(condition as Record<string, unknown>)) {
    if (typeof keys !== 'object' || keys === null) return 'unknown';
    for (const [key, expected] of Object.entries(keys as Record<string, unknown>)) results.push(evaluateKey(operator, key, toArray(expected as unknown), context, variables));
  }
  return allOf(results);
}

function evaluateKey(operatorName: string, key: string, expectedRaw: unknown[], context: RequestContext, variables: PolicyVariables): Truth {
  const lower = operatorName.toLowerCase();
  const set = lower.startsWith('forallvalues:') ? 'all' : lower.startsWith('foranyvalue:') ? 'any' : null;
  const withoutSet = set ? lower.slice(lower.indexOf(':') + 1) : lower;
  const ifExists = withoutSet.endsWith('ifexists');
  const base = ifExists ? withoutSet.slice(0, -'ifexists'.length) : withoutSet;
  const known = Object.prototype.hasOwnProperty.call(context, key.toLowerCase());
  if (!known) return 'unknown';
  const value = context[key.toLowerCase()] ?? null;
  const actual = value === null ? null : typeof value === 'string' ? [value] : [...value];
  if (base === 'null') {
    const wantsAbsent = expectedRaw.map((e) => String(e).toLowerCase() === 'true');
    return anyOf(wantsAbsent.map((absent) => truth(absent === (actual === null || actual.length === 0))));
  }
  const operator = OPERATORS[base];
  if (operator === undefined) return 'unknown';
  const expected: string[] = [];
  for (const raw of expectedRaw) {
    const resolved = resolveVariables(String(raw), variables);
    if (resolved === null) return 'unknown';
    expected.push(resolved);
  }
  // A key that is absent: IfExists makes the condition hold, a negated operator holds, anything else does not.
  if (actual === null || actual.length === 0) {
    if (ifExists || set === 'all') return 'true';
    return truth(operator.negated && set === null);
  }
  const matchesOne = (one: string): Truth => {
    const results = expected.map((e) => operator.compare(one, e));
    if (results.some((r) => r === null)) return 'unknown';
    const any = results.some((r) => r === true);
    return truth(operator.negated ? !any : any);
  };
  if (set === 'all') return allOf(actual.map(matchesOne));
  return anyOf(actual.map(matchesOne));
}

/** `${aws:username}` and the like from the known variables; null when one is not known. */
function resolveVariables(text: string, variables: PolicyVariables): string | null {
  if (!text.includes('${')) return text;
  let unresolved = false;
  const resolved = text.replace(/\$\{([^}]+)\}/g, (_all, name: string) => {
    if (name === '*' || name === '?' || name === '$') return name;
    const value = variables[name.toLowerCase()] ?? variables[name];
    if (value === undefined) unresolved = true;
    return value ?? '';
  });
  return unresolved ? null : resolved;
}
