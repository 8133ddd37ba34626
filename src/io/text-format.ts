import { Chalk } from 'chalk';
import Table from 'cli-table3';
import type { TextFormat } from './io-host.js';

/** Builds the text helpers renderers use; with colour off every helper is the identity. */
export function createTextFormat(color: boolean): TextFormat {
  // chalk ignores NO_COLOR on a TTY, so the level is always set explicitly here.
  const chalk = new Chalk({ level: color ? 1 : 0 });
  return {
    color,
    bold: (t) => chalk.bold(t),
    dim: (t) => chalk.dim(t),
    red: (t) => chalk.red(t),
    yellow: (t) => chalk.yellow(t),
    green: (t) => chalk.green(t),
    cyan: (t) => chalk.cyan(t),
    table(head, rows) {
      const table = new Table({
        head: head.map((h) => chalk.bold(h)),
        // No rule between rows: a table of a hundred users stays readable on one screen.
        chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
        style: color ? { head: [], border: ['grey'] } : { head: [], border: [] },
      });
      for (const row of rows) table.push(row.map(String));
      return table.toString();
    },
  };
}
