import type { Workspace } from '../../workspace/workspace.js';
import { renderDeniedMarkdown } from './render-denied-markdown.js';
import type { WatchReport } from './watch-report.js';

export interface DeniedReportFiles {
  json: string;
  markdown: string;
}

/** `reports/denied-<UTC timestamp>.json` and `.md`, named after the time of the report. */
export function deniedReportPaths(generatedAt: string): DeniedReportFiles {
  const stamp = generatedAt.replace(/[-:]/g, '').replace(/\.\d+/, '');
  return { json: `reports/denied-${stamp}.json`, markdown: `reports/denied-${stamp}.md` };
}

/** Writes the report twice, for machines and for people; relative paths are returned. */
export async function writeDeniedReports(workspace: Workspace, report: WatchReport, suggestionFiles: Record<string, string>): Promise<DeniedReportFiles> {
  const paths = deniedReportPaths(report.generatedAt);
  await workspace.writeJson(paths.json, { ...report, suggestionFiles });
  await workspace.writeText(paths.markdown, renderDeniedMarkdown(report, suggestionFiles));
  return paths;
}
