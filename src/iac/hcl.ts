/**
 * A small writer for the HCL the Terraform emitters produce: attributes, nested blocks and blank
 * lines, rendered already formatted the way `terraform fmt` would.
 */

/** A body item: an attribute with its rendered expression, a nested block, or a blank line. */
export type HclItem = { attribute: string; expression: string } | { block: string; labels: string[]; body: HclItem[] } | null;

export const HCL_INDENT = '  ';

export function hclBlock(name: string, labels: string[], body: HclItem[]): HclItem {
  return { block: name, labels, body };
}

export function hclAttribute(name: string, expression: string): HclItem {
  return { attribute: name, expression };
}

/**
 * Quotes a string as an HCL template literal. `${` and `%{` would start an interpolation or a
 * directive inside the quotes, so they are doubled (`$${`, `%%{`), which HCL reads as literal text.
 */
export function quoteHclString(value: string): string {
  let out = '';
  for (const char of value) {
    const code = char.codePointAt(0)!;
    if (char === '\\') out += '\\\\';
    else if (char === '"') out += '\\"';
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += char;
  }
  // Replacement functions, because in a replacement string `$$` itself means one `$`.
  return `"${out.replaceAll('${', () => '$${').replaceAll('%{', () => '%%{')}"`;
}

/**
 * Renders body items at a depth. Runs of single-line attributes have their `=` aligned, as
 * `terraform fmt` does, so that the file is already formatted.
 */
export function renderHclBody(items: HclItem[], depth: number): string[] {
  const pad = HCL_INDENT.repeat(depth);
  const lines: string[] = [];
  items.forEach((item, index) => {
    if (item === null) {
      lines.push('');
    } else if ('block' in item) {
      const head = [item.block, ...item.labels.map(quoteHclString)].join(' ');
      if (item.body.length === 0) lines.push(`${pad}${head} {}`);
      else lines.push(`${pad}${head} {`, ...renderHclBody(item.body, depth + 1), `${pad}}`);
    } else {
      const width = item.expression.includes('\n') ? item.attribute.length : alignmentWidth(items, index);
      lines.push(`${pad}${item.attribute.padEnd(width)} = ${item.expression}`);
    }
  });
  return lines;
}

/** The longest attribute name in the run of single-line attributes around `index`. */
function alignmentWidth(items: HclItem[], index: number): number {
  const isSingleLine = (item: HclItem | undefined) => item !== null && item !== undefined && 'attribute' in item && !item.expression.includes('\n');
  let start = index;
  while (isSingleLine(items[start - 1])) start -= 1;
  let end = index;
  while (isSingleLine(items[end + 1])) end += 1;
  const names = items.slice(start, end + 1).map((item) => (item !== null && 'attribute' in item ? item.attribute.length : 0));
  return Math.max(...names);
}
