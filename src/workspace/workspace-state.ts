import { z } from 'zod';

export const WORKSPACE_STATE_VERSION = 1;

const accountId = z.string().regex(/^\d{12}$/, 'an AWS account ID has 12 digits');

/** `workspace.json`: which account this migration belongs to, and where it stands. */
export const WorkspaceStateSchema = z.strictObject({
  schemaVersion: z.literal(WORKSPACE_STATE_VERSION),
  accountId,
  partition: z.string().min(1),
  createdAt: z.iso.datetime(),
  /** Who bound the workspace, for the record; later runs may use other principals of the same account. */
  createdBy: z.string().min(1),
  identityCenter: z
    .strictObject({
      instanceArn: z.string().min(1),
      identityStoreId: z.string().min(1),
      region: z.string().min(1),
    })
    .nullable(),
  phases: z.strictObject({
    audit: z.strictObject({ lastRunAt: z.iso.datetime(), userCount: z.number().int().nonnegative() }).optional(),
    policies: z
      .strictObject({
        lastRunAt: z.iso.datetime(),
        /** Per permission set: whether its policy passed validation, so later phases know what they may create. */
        sets: z.record(
          z.string(),
          z.strictObject({
            ready: z.boolean(),
            basis: z.enum(['granted', 'used', 'proposed']),
            validatedBy: z.enum(['access-analyzer', 'local', 'none']),
            inlinePolicyFile: z.string().nullable(),
          }),
        ),
      })
      .optional(),
    assignments: z
      .strictObject({
        lastRunAt: z.iso.datetime(),
        /** Per IAM user: whether access through Identity Center is verified (the evidence `disable` needs). */
        access: z.record(z.string(), z.strictObject({ verified: z.boolean(), missing: z.array(z.string()) })),
      })
      .optional(),
    /**
     * The parallel run, from watch-denied: the windows of CloudTrail events read so far, and per IAM
     * user the last time the old credentials were seen (the evidence `disable` weighs).
     */
    activity: z
      .strictObject({
        firstRunAt: z.iso.datetime(),
        lastRunAt: z.iso.datetime(),
        logGroup: z.string().min(1),
        /** Windows read, merged where they overlap, oldest first. */
        windows: z.array(z.strictObject({ since: z.iso.datetime(), until: z.iso.datetime() })),
        users: z.record(
          z.string(),
          z.strictObject({
            userId: z.string().nullable(),
            lastSeen: z.iso.datetime(),
            lastAction: z.string(),
            /** Calls in the latest window that saw the user. */
            eventCount: z.number().int().nonnegative(),
            accessKeys: z.record(z.string(), z.iso.datetime()),
            consoleLastSeen: z.iso.datetime().nullable(),
          }),
        ),
        /** Denied calls per permission set in the latest run. */
        deniedByPermissionSet: z.record(z.string(), z.number().int().nonnegative()),
      })
      .optional(),
    /**
     * verify's last verdict per IAM user: whether their permission sets grant what the IAM user could
     * do (`same`), more (`escalation`), less (`loss`), or could not be judged (`unverified`).
     */
    verify: z
      .strictObject({
        lastRunAt: z.iso.datetime(),
        users: z.record(
          z.string(),
          z.strictObject({
            verdict: z.enum(['same', 'escalation', 'loss', 'unverified']),
            gained: z.number().int().nonnegative(),
            lost: z.number().int().nonnegative(),
          }),
        ),
      })
      .optional(),
    /**
     * Written by earlier versions, read and never written now: who disable, enable, cleanup and restore
     * acted on is derived from the journal (see phases/disable/retired-users.ts).
     */
    disable: z.unknown().optional(),
    cleanup: z.unknown().optional(),
    permissionSets: z
      .strictObject({
        lastRunAt: z.iso.datetime(),
        instanceArn: z.string().min(1),
        /** Permission set name → ARN, as created or found in Identity Center. */
        arns: z.record(z.string(), z.string()),
      })
      .optional(),
  }),
});

export type WorkspaceState = z.infer<typeof WorkspaceStateSchema>;
