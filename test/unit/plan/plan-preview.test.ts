import { describe, expect, it } from 'vitest';
import { createTextFormat } from '../../../src/io/text-format.js';
import { describePlan, renderPlanPreview } from '../../../src/plan/plan-preview.js';
import { DELETE, deleteAction, PUT, putAction } from './support/fake-account.js';
import { ACCOUNT_ID } from '../support/builders.js';

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[/;

const actions = () => [
  putAction('grant', { risk: 'broadening' }),
  putAction('grant-2', { risk: 'broadening' }),
  putAction('narrow', { risk: 'narrowing' }),
  deleteAction('remove', { risk: 'destructive' }),
  deleteAction('erase', { risk: 'irreversible' }),
];

/** The table row that shows the change with this preview text. */
function rowOf(text: string, preview: string): string {
  const row = text.split('\n').find((line) => line.includes(preview));
  if (!row) throw new Error(`no row for ${preview}`);
  return row;
}

/** The first cell of a table row (the marker column). */
const markerOf = (row: string) => row.split('│')[1]?.trim();

describe('Describing a plan', () => {
  it('Given actions of several risks and kinds, When described, Then it counts them by risk and by kind', () => {
    const data = describePlan('fake-command', ACCOUNT_ID, actions());
    expect(data.counts.byRisk).toEqual({ broadening: 2, narrowing: 1, destructive: 1, irreversible: 1 });
    expect(data.counts.byKind).toEqual({ [PUT]: 3, [DELETE]: 2 });
    expect(data.actions.map((a) => a.id)).toEqual(['grant', 'grant-2', 'narrow', 'remove', 'erase']);
    expect(data.actions.every((a) => a.refused === null)).toBe(true);
    expect(data).toMatchObject({ command: 'fake-command', accountId: ACCOUNT_ID });
  });

  it('Given refused actions, When described, Then each row carries its reason', () => {
    const data = describePlan('fake-command', ACCOUNT_ID, actions(), new Map([['remove', 'stale']]));
    expect(data.actions.find((a) => a.id === 'remove')?.refused).toBe('stale');
    expect(data.actions.filter((a) => a.refused !== null)).toHaveLength(1);
  });

  it('Given no actions, When described, Then all counts are empty', () => {
    expect(describePlan('fake-command', ACCOUNT_ID, []).counts).toEqual({ byRisk: {}, byKind: {} });
  });
});

describe('Rendering a plan preview', () => {
  it('Given colour off, When rendered, Then there is no ANSI escape anywhere', () => {
    const data = describePlan('fake-command', ACCOUNT_ID, actions(), new Map([['remove', 'stale']]));
    expect(renderPlanPreview(data, createTextFormat(false))).not.toMatch(ANSI);
    expect(renderPlanPreview(describePlan('fake-command', ACCOUNT_ID, []), createTextFormat(false))).not.toMatch(ANSI);
  });

  it('Given colour on, When rendered, Then it is coloured', () => {
    expect(renderPlanPreview(describePlan('fake-command', ACCOUNT_ID, actions()), createTextFormat(true))).toMatch(ANSI);
  });

  it('Given a mixed plan, When rendered, Then broadening changes are marked + and no other row is', () => {
    const text = renderPlanPreview(describePlan('fake-command', ACCOUNT_ID, actions()), createTextFormat(false));
    expect(markerOf(rowOf(text, 'put grant'))).toBe('+');
    expect(markerOf(rowOf(text, 'put grant-2'))).toBe('+');
    for (const preview of ['put narrow', 'delete remove', 'delete erase']) expect(markerOf(rowOf(text, preview))).not.toBe('+');
  });

  it('Given removals, When rendered, Then destructive and irreversible changes get distinct markers', () => {
    const text = renderPlanPreview(describePlan('fake-command', ACCOUNT_ID, actions()), createTextFormat(false));
    const destructive = markerOf(rowOf(text, 'delete remove'));
    const irreversible = markerOf(rowOf(text, 'delete erase'));
    expect(destructive).not.toBe('');
    expect(irreversible).not.toBe('');
    expect(destructive).not.toBe(irreversible);
  });

  it('Given a plan without broadening changes, When rendered, Then no row is marked +', () => {
    const text = renderPlanPreview(describePlan('fake-command', ACCOUNT_ID, [putAction('narrow', { risk: 'narrowing' })]), createTextFormat(false));
    expect(markerOf(rowOf(text, 'put narrow'))).toBe('-');
    expect(text.split('\n').some((line) => markerOf(line) === '+')).toBe(false);
  });

  it('Given the plan, When rendered, Then the account and every target appear', () => {
    const text = renderPlanPreview(describePlan('fake-command', ACCOUNT_ID, actions()), createTextFormat(false));
    expect(text).toContain(ACCOUNT_ID);
    for (const action of actions()) expect(text).toContain(action.target);
  });
});
