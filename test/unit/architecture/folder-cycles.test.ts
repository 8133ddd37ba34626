import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(__dirname, '../../../src');

/** Folders that hold one unit each (a phase); any other folder of src is one unit, and so is each file at its root. */
const FOLDERS_OF_UNITS = new Set(['phases']);

function unitOf(file: string): string {
  const parts = path.relative(SRC, file).split(path.sep);
  if (parts.length === 1) return parts[0] as string;
  if (FOLDERS_OF_UNITS.has(parts[0] as string) && parts.length > 2) return `${parts[0]}/${parts[1]}`;
  return parts[0] as string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Which unit imports which, read with the TypeScript parser (type-only imports count: they tie the folders as much). */
function unitGraph(): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of sourceFiles(SRC)) {
    const from = unitOf(file);
    const edges = graph.get(from) ?? new Map<string, string>();
    graph.set(from, edges);
    for (const imported of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
      if (!imported.fileName.startsWith('.')) continue;
      const target = path.resolve(path.dirname(file), imported.fileName.replace(/\.js$/, '.ts'));
      const to = unitOf(target);
      if (to !== from && !edges.has(to)) edges.set(to, `${path.relative(SRC, file)} imports ${imported.fileName}`);
    }
  }
  return graph;
}

/** A cycle of units, each with the first import that makes the step, or null (depth-first search). */
function findCycle(graph: Map<string, Map<string, string>>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const trail: string[] = [];
  const visit = (unit: string): string[] | null => {
    state.set(unit, 'open');
    trail.push(unit);
    for (const [next, why] of graph.get(unit) ?? []) {
      if (state.get(next) === 'open') {
        const loop = trail.slice(trail.indexOf(next));
        return loop.map((u, i) => `${u} → ${loop[i + 1] ?? next} (${graph.get(u)?.get(loop[i + 1] ?? next) ?? why})`);
      }
      if (!state.has(next)) {
        const found = visit(next);
        if (found) return found;
      }
    }
    trail.pop();
    state.set(unit, 'done');
    return null;
  };
  for (const unit of [...graph.keys()].sort()) {
    if (state.has(unit)) continue;
    const found = visit(unit);
    if (found) return found;
  }
  return null;
}

describe('the folders of src', () => {
  it('import each other without a cycle, so each layer can be read, tested and changed from the bottom up', () => {
    expect(findCycle(unitGraph())).toBeNull();
  });

  it('are all seen: the graph holds the model, the plan engine and the phases', () => {
    const units = [...unitGraph().keys()];
    expect(units).toEqual(expect.arrayContaining(['model', 'plan', 'workspace', 'aws', 'phases/audit', 'phases/disable', 'phases/cleanup']));
  });
});
