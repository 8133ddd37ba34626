import type { z } from 'zod';

/** `path.to.field: what is wrong` for each issue, for error messages that name the field to fix. */
export function formatZodIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(top level)'}: ${issue.message}`)
    .join('; ');
}
