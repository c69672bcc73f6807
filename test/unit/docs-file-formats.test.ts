import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { batchFieldLabels, batchFields, suggestMapping, type BatchField } from '../../shared/batch';
import { statementFields, type StatementField } from '../../shared/reconciliation';
import { suggestStatementMapping } from '../../electron/core/reconciliation/statement-csv';

/**
 * docs/file-formats.md lists the header spellings an operator may use. This
 * test reads those tables and asks the code that maps headers whether each
 * spelling really lands on its field, so the page cannot promise what the
 * code does not do.
 */

const page = readFileSync(path.resolve(__dirname, '../../docs/file-formats.md'), 'utf8');

/** The rows of the table between `<!-- name: ... -->` and `<!-- end name -->`: field label and spellings. */
export function documentedSpellings(markdown: string, name: string): Map<string, string[]> {
  const start = markdown.indexOf(`<!-- ${name}:`);
  const end = markdown.indexOf(`<!-- end ${name} -->`);
  if (start < 0 || end < start) throw new Error(`docs/file-formats.md has no ${name} table`);
  const rows = new Map<string, string[]>();
  for (const line of markdown.slice(start, end).split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    if (cells.length < 5 || cells[1] === 'field' || cells[1].startsWith('---')) continue;
    rows.set(cells[1], [...cells[3].matchAll(/`([^`]+)`/g)].map((match) => match[1]));
  }
  return rows;
}

const statementLabels: Record<StatementField, string> = {
  date: 'Date', amount: 'Amount', currency: 'Currency', reference: 'Reference', description: 'Description',
  endToEndId: 'End-to-end id', direction: 'Direction', balance: 'Balance',
};

describe('docs/file-formats.md', () => {
  it('lists every batch field, and each spelling it lists maps to that field', () => {
    const rows = documentedSpellings(page, 'batch-headers');
    expect([...rows.keys()].sort()).toEqual(batchFields.map((field) => batchFieldLabels[field]).sort());
    for (const field of batchFields) {
      const spellings = rows.get(batchFieldLabels[field]) ?? [];
      expect(spellings.length, field).toBeGreaterThan(0);
      for (const spelling of spellings) {
        for (const written of [spelling, spelling.toUpperCase(), ` ${spelling.replace(/_/g, ' ')} `]) {
          const mapped = Object.entries(suggestMapping([written])) as [BatchField, string][];
          expect(mapped, `"${written}"`).toEqual([[field, written]]);
        }
      }
    }
  });

  it('lists every statement field, and each spelling it lists maps to that field', () => {
    const rows = documentedSpellings(page, 'statement-headers');
    expect([...rows.keys()].sort()).toEqual(statementFields.map((field) => statementLabels[field]).sort());
    for (const field of statementFields) {
      const spellings = rows.get(statementLabels[field]) ?? [];
      expect(spellings.length, field).toBeGreaterThan(0);
      for (const spelling of spellings) expect(suggestStatementMapping([spelling]), `"${spelling}"`).toEqual({ [field]: spelling });
    }
  });

  it('would notice a spelling the code does not know', () => {
    const invented = [
      '<!-- batch-headers: x -->',
      '| field | required | header spellings recognised |',
      '| --- | --- | --- |',
      '| Amount | yes | `amount`, `betrag` |',
      '<!-- end batch-headers -->',
    ].join('\n');
    const spellings = documentedSpellings(invented, 'batch-headers').get('Amount') ?? [];
    expect(spellings).toEqual(['amount', 'betrag']);
    expect(suggestMapping(['betrag'])).toEqual({});
  });
});
