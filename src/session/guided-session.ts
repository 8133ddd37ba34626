/**
 * The guided session: shows where the migration stands, proposes the next step, and runs it through
 * the very phase command an operator would type (same preview, same confirmation, same journal).
 * Everything it does to the world goes through the effects it is given, so that it is tested with a
 * scripted IoHost and fakes.
 */
import { Iam2idcError, Interrupted } from '../errors.js';
import { say, type IoHost, type TextFormat } from '../io/io-host.js';
import { describeUnfinishedRun, renderChecklist, renderStatus } from '../phases/status/status-summary.js';
import type { PhaseId } from '../phases/status/phase-checklist.js';
import type { StatusResult } from '../phases/status/read-status.js';
import type { UnfinishedRun } from '../plan/unfinished-runs.js';

/** What each step does and why, in two or three lines, shown before it runs. */
export const STEP_INFO: Record<PhaseId, { title: string; explain: string }> = {
  audit: { title: 'Audit the account', explain: 'Reads every IAM user, group, policy and credential (read-only), and drafts mapping.yaml:\nwho is a person, who is a workload, and which permission sets and groups they become.' },
  'generate-policies': { title: 'Generate the permission set policies', explain: 'Builds each permission set\'s policy from what its IAM group or user grants, validates it,\nand writes it to policies/. Nothing changes in AWS.' },
  'create-permission-sets': { title: 'Create the permission sets', explain: 'Makes Identity Center\'s permission sets match mapping.yaml and policies/: only the differences,\npreviewed and confirmed, then provisioned where they are already in use.' },
  assign: { title: 'Give people access through Identity Center', explain: 'Creates the Identity Center users, groups and account assignments of the mapping, then verifies\neach person\'s access: disable will rely on it.' },
  'watch-denied': { title: 'Watch the parallel run', explain: 'Reads CloudTrail for calls the permission sets deny, and for IAM users still in use. Denials a\npermission set can fix become suggested policy patches (policies/patches/).' },
  disable: { title: 'Switch the old access off', explain: 'Adds a deny-all policy and deactivates the keys of the people who passed the evidence gate.\nReversible with `iam2idc enable`; you type the account ID to confirm.' },
  cleanup: { title: 'Delete the old users', explain: 'Backs up, then deletes, the users disabled at least 7 days ago. Keys, passwords and MFA\ncannot come back (the preview says so per user); you type the account ID to confirm.' },
};

/** The reports that go with each step, for "open the report". */
const STEP_REPORTS: Partial<Record<PhaseId, RegExp>> = {
  audit: /^reports\/audit\.md$/,
  'generate-policies': /^reports\/policies\.md$/,
  assign: /^reports\/onboarding\.md$/,
  'watch-denied': /^reports\/denied-.*\.md$/,
};

export interface SessionEffects {
  readStatus(): Promise<StatusResult>;
  /** Runs the phase command; returns its exit code. Typed errors propagate. */
  runPhase(phase: PhaseId): Promise<number>;
  /** Report files of the workspace, relative to it, newest last. */
  listReports(): Promise<string[]>;
  readReport(file: string): Promise<string>;
  /** Opens mapping.yaml in the editor and validates it again: null when valid, else the problem. */
  editMapping(): Promise<string | null>;
}

export interface SessionContext {
  accountId: string;
  callerArn: string;
  workspace: string;
  /** Runs that did not finish their plan (see findUnfinishedRuns). */
  unfinished: UnfinishedRun[];
}

type Choice = { kind: 'phase'; phase: PhaseId } | { kind: 'status' } | { kind: 'report'; file: string } | { kind: 'edit' } | { kind: 'stop' };

/** Runs the session until the operator stops it; returns the exit code. Ctrl-C at a prompt ends it (130). */
export async function runGuidedSession(io: IoHost, effects: SessionEffects, context: SessionContext): Promise<number> {
  io.show({ data: context, renderText: (f) => header(context, f) });
  for (const run of context.unfinished) warnUnfinished(io, run);
  let last: PhaseId | null = null;
  for (;;) {
    const status = await effects.readStatus();
    io.show({ data: status.checklist, renderText: (f) => renderChecklist(status.checklist, f) });
    const choice: Choice = await io.select<Choice>({ code: 'SESSION_NEXT', message: 'What next?', choices: await choicesFor(status, last, effects) });
    switch (choice.kind) {
      case 'stop':
        say.info(io, 'SESSION_STOPPED', 'Stopped. Run `iam2idc` again to go on where you left off; `iam2idc status` shows where you are.');
        return 0;
      case 'status':
        io.show({ data: status, renderText: (f) => renderStatus(status, f) });
        break;
      case 'report': {
        const text = await effects.readReport(choice.file);
        io.show({ data: { file: choice.file, text }, renderText: (f) => `${f.bold(choice.file)}\n\n${text}` });
        break;
      }
      case 'edit': {
        const problem = await effects.editMapping();
        if (problem) say.warn(io, 'MAPPING_INVALID', `mapping.yaml is not valid yet:\n${problem}\nChoose "Edit mapping.yaml" again to fix it; no step reads it until it is valid.`);
        else say.info(io, 'MAPPING_VALID', 'mapping.yaml is valid.');
        break;
      }
      case 'phase':
        last = choice.phase;
        await runStep(io, effects, choice.phase);
        break;
    }
  }
}

async function runStep(io: IoHost, effects: SessionEffects, phase: PhaseId): Promise<void> {
  const info = STEP_INFO[phase];
  io.show({ data: { phase, ...info }, renderText: (f) => `\n${f.bold(`${info.title} — iam2idc ${phase}`)}\n${f.dim(info.explain)}\n` });
  try {
    const code = await effects.runPhase(phase);
    if (code === 0) say.info(io, 'STEP_DONE', `iam2idc ${phase} finished.`);
    else say.warn(io, 'STEP_UNFINISHED', `iam2idc ${phase} finished with exit code ${code}: see above what failed or was refused. Choose the step again to go on.`, { phase, exitCode: code });
  } catch (error) {
    // Ctrl-C ends the session; every other typed error is shown and the operator decides what next.
    if (error instanceof Interrupted || !(error instanceof Iam2idcError)) throw error;
    say.warn(io, error.code, `${error.message}\n  → ${error.resolution}`, { phase, code: error.code });
  }
}

async function choicesFor(status: StatusResult, last: PhaseId | null, effects: SessionEffects): Promise<{ name: string; value: Choice; description?: string }[]> {
  const next = status.checklist.next.phase;
  const choices: { name: string; value: Choice; description?: string }[] = [];
  if (next) choices.push({ name: `${STEP_INFO[next].title} (iam2idc ${next}) — recommended`, value: { kind: 'phase', phase: next }, description: status.checklist.next.why });
  const reports = await effects.listReports();
  const pattern = last ? STEP_REPORTS[last] : undefined;
  const report = pattern ? [...reports].reverse().find((r) => pattern.test(r)) : undefined;
  if (report) choices.push({ name: `Open ${report}`, value: { kind: 'report', file: report } });
  choices.push({ name: 'Show the per-user status', value: { kind: 'status' } });
  choices.push({ name: 'Edit mapping.yaml', value: { kind: 'edit' }, description: 'Opens $EDITOR, then checks the file again' });
  for (const phase of Object.keys(STEP_INFO) as PhaseId[]) {
    if (phase !== next) choices.push({ name: `${STEP_INFO[phase].title} (iam2idc ${phase})`, value: { kind: 'phase', phase } });
  }
  choices.push({ name: 'Stop here', value: { kind: 'stop' } });
  return choices;
}

function header(context: SessionContext, f: TextFormat): string {
  return [f.bold('iam2idc — guided migration'), `Account ${context.accountId} as ${context.callerArn}`, f.dim(`Workspace ${context.workspace}`), ''].join('\n');
}

function warnUnfinished(io: IoHost, run: UnfinishedRun): void {
  say.warn(io, 'UNFINISHED_RUN', describeUnfinishedRun(run), run);
}
