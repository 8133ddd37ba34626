/**
 * Whether two IAM wildcard patterns (`*` any run of characters, `?` one character) can match one
 * same string: `sqs:*` and `sqs:Delete*` can, `s3:Get*` and `s3:Put*` cannot. Action names compare
 * ignoring case, as IAM compares them.
 */
export function actionPatternsOverlap(a: string, b: string): boolean {
  const [x, y] = [a.toLowerCase().split(':'), b.toLowerCase().split(':')];
  // An action is `service:name`, one colon: compare the two parts apart, so that the `*` of one side
  // cannot stand for a colon.
  if (x.length === 2 && y.length === 2) return patternsOverlap(x[0] ?? '', y[0] ?? '') && patternsOverlap(x[1] ?? '', y[1] ?? '');
  return patternsOverlap(a.toLowerCase(), b.toLowerCase());
}

function patternsOverlap(a: string, b: string): boolean {
  const memo = new Map<number, boolean>();
  const width = b.length + 1;
  const from = (i: number, j: number): boolean => {
    const key = i * width + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    if (i === a.length && j === b.length) result = true;
    else if (a[i] === '*') result = from(i + 1, j) || (j < b.length && from(i, j + 1));
    else if (b[j] === '*') result = from(i, j + 1) || (i < a.length && from(i + 1, j));
    else if (i === a.length || j === b.length) result = false;
    else result = (a[i] === b[j] || a[i] === '?' || b[j] === '?') && from(i + 1, j + 1);
    memo.set(key, result);
    return result;
  };
  return from(0, 0);
}
