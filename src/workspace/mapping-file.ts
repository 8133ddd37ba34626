import { readFile } from 'node:fs/promises';
import { isMap, isNode, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Document } from 'yaml';
import type { z } from 'zod';
import { UserError } from '../errors.js';
import { mappingSchema, validateMapping } from './mapping-schema.js';
import type { Mapping, MappingIssue } from './mapping-schema.js';

/** The operator's migration plan, relative to the workspace. */
export const MAPPING_FILE = 'mapping.yaml';

/** A mapping that parsed and validated, with the YAML document it came from (comments included). */
export interface LoadedMapping {
  mapping: Mapping;
  /** Edit this and render it with `renderMappingDocument` to re-save without losing comments. */
  document: Document;
  /** Issues that do not stop a command but that the operator should see. */
  warnings: MappingIssue[];
}

type IssuePath = readonly PropertyKey[];

/** How a path inside the mapping is shown: `permissionSets.Dev Ops.name`, `assignments[2].targets[0]`. */
export function formatMappingPath(path: IssuePath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out === '' ? '(top level)' : out;
}

/**
 * Reads, parses and validates `mapping.yaml`. Every problem (missing or unreadable file, YAML syntax,
 * duplicate keys, wrong types, unknown fields, invalid names, broken references between sections)
 * throws a `UserError` that names the file, the place inside it and what to change.
 */
export async function loadMapping(filePath: string): Promise<LoadedMapping> {
  let text: string;
  try {
    text = await readFile(filePath, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new UserError(
        'MAPPING_NOT_FOUND',
        `No mapping file at ${filePath}.`,
        'Run `iam2idc audit` to draft one, or point --workspace at the workspace that holds it.',
        { cause },
      );
    }
    throw new UserError(
      'MAPPING_UNREADABLE',
      `Cannot read ${filePath} (${code ?? 'unknown error'}).`,
      'Check that the file exists and that you can read it.',
      { cause },
    );
  }
  return parseMapping(text, filePath);
}

/** Parses and validates mapping text; `fileLabel` names the file in error messages. */
export function parseMapping(text: string, fileLabel: string): LoadedMapping {
  const lineCounter = new LineCounter();
  // uniqueKeys: a duplicated user or permission set would otherwise silently drop one of the two.
  const document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  if (document.errors.length > 0) throw syntaxError(document, lineCounter, fileLabel, text.length);
  if (document.contents === null || (isScalar(document.contents) && document.contents.value === null)) {
    throw new UserError(
      'MAPPING_INVALID',
      `${fileLabel} is empty.`,
      'Delete it and run `iam2idc audit` to draft a new one, or restore it from your copy.',
    );
  }

  let data: unknown;
  try {
    data = document.toJS({ maxAliasCount: 100 });
  } catch (cause) {
    throw new UserError(
      'MAPPING_YAML_SYNTAX',
      `${fileLabel} cannot be read as YAML: ${(cause as Error).message}`,
      'Remove the YAML aliases (*name) from the file and write the values out.',
      { cause },
    );
  }

  const parsed = mappingSchema.safeParse(data, { reportInput: true });
  if (!parsed.success) {
    const problems = parsed.error.issues.flatMap(describeIssue);
    throw invalidError(fileLabel, document, lineCounter, problems);
  }
  const issues = validateMapping(parsed.data);
  const errors = issues.filter((i) => i.severity === 'error');
  if (errors.length > 0) throw invalidError(fileLabel, document, lineCounter, errors);
  return { mapping: parsed.data, document, warnings: issues.filter((i) => i.severity === 'warning') };
}

/** The text to write back to `mapping.yaml`; comments and the operator's layout are kept. */
export function renderMappingDocument(doc: Document): string {
  return doc.toString({ lineWidth: 0 });
}

/** Where a problem is and what it is, before the line number is looked up. */
interface Problem {
  path: IssuePath;
  message: string;
}

function syntaxError(document: Document, lineCounter: LineCounter, fileLabel: string, length: number): UserError {
  const positions = document.errors.map((e) => lineCounter.linePos(e.pos[0]));
  const lines = document.errors.slice(0, 5).map((e, i) => {
    const where = `line ${positions[i]?.line}, column ${positions[i]?.col}${e.pos[0] >= length ? ' (end of file)' : ''}`;
    return `  - ${where}: ${e.message.split('\n')[0]}`;
  });
  const first = positions[0];
  const atEnd = document.errors.some((e) => e.pos[0] >= length);
  return new UserError(
    'MAPPING_YAML_SYNTAX',
    `${fileLabel} is not valid YAML:\n${lines.join('\n')}`,
    `Fix the YAML${first ? ` at line ${first.line}` : ''} (indentation, quotes, brackets, duplicate keys) and run the command again.` +
      (atEnd ? ' An error at the end of the file usually means it was cut short: restore it from your copy.' : ''),
  );
}

function invalidError(fileLabel: string, document: Document, lineCounter: LineCounter, problems: Problem[]): UserError {
  const lines = problems.slice(0, 20).map((p) => {
    const line = lineOf(document, lineCounter, p.path);
    return `  - ${formatMappingPath(p.path)}${line === undefined ? '' : ` (line ${line})`}: ${p.message}`;
  });
  if (problems.length > 20) lines.push(`  … and ${problems.length - 20} more`);
  return new UserError(
    'MAPPING_INVALID',
    `${fileLabel} is not a valid mapping:\n${lines.join('\n')}`,
    `Edit ${fileLabel} and fix the fields listed (the comment at the top of the file describes each section), then run the command again.`,
  );
}

const TYPE_NAMES: Record<string, string> = {
  object: 'a mapping of key: value',
  array: 'a list',
  string: 'text',
  number: 'a number',
  boolean: 'true or false',
};

function describeValue(value: unknown): string {
  if (value === null) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** Rewrites zod issues in the terms of the file, one problem per field. */
function describeIssue(issue: z.core.$ZodIssue): Problem[] {
  switch (issue.code) {
    case 'invalid_type':
      return [
        {
          path: issue.path,
          message:
            issue.input === undefined
              ? `is missing (expected ${TYPE_NAMES[issue.expected] ?? issue.expected})`
              : `must be ${TYPE_NAMES[issue.expected] ?? issue.expected}, found ${describeValue(issue.input)}` +
                (typeof issue.input === 'number' && issue.expected === 'string' ? ' (write IDs in quotes, e.g. "012345678901")' : ''),
        },
      ];
    case 'unrecognized_keys':
      // Unknown fields are rejected so that a misspelt field is not silently ignored.
      return issue.keys.map((key) => ({ path: [...issue.path, key], message: 'is not a known field (check the spelling)' }));
    case 'invalid_key':
      return [{ path: [...issue.path, 'name'], message: issue.issues[0]?.message ?? issue.message }];
    default:
      return [{ path: issue.path, message: issue.message }];
  }
}

/** The 1-based line of the deepest node along `path` that exists in the document. */
function lineOf(document: Document, lineCounter: LineCounter, path: IssuePath): number | undefined {
  const lineAt = (node: unknown): number | undefined =>
    isNode(node) && node.range ? lineCounter.linePos(node.range[0]).line : undefined;
  let node: unknown = document.contents;
  let line = lineAt(node);
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
      if (pair === undefined) break;
      // The key's line, not the value's: a nested mapping starts on the line after its key.
      line = lineAt(pair.key) ?? line;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
      line = lineAt(node) ?? line;
    } else {
      break;
    }
  }
  return line;
}

/** A mapping for another account than the workspace's is refused (exit 2): acting on it would act on the wrong users. */
export function checkMappingAccount(mapping: Pick<Mapping, 'account'>, state: { accountId: string } | null, file: string): void {
  if (state === null || mapping.account === state.accountId) return;
  throw new UserError(
    'MAPPING_ACCOUNT_MISMATCH',
    `${file}: account is ${mapping.account}, but the workspace belongs to account ${state.accountId}.`,
    `Put back the workspace's own mapping.yaml, or set account: '${state.accountId}' if this mapping was meant for it.`,
  );
}
