import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * A few of TigerBeetle's habits, checked so they stay habits: short lines,
 * functions short enough to read without scrolling, no leftover markers, and
 * none of the calls that break PayDesk's promises (a float holding money, a
 * database file written in place).
 */
const root = path.join(import.meta.dirname, '../..');
const sourceFolders = ['electron', 'renderer/src', 'shared', 'test'];
export const lineLengthMax = 160;
export const functionLinesMax = 70;

const bannedInCore: { pattern: RegExp; why: string }[] = [
  { pattern: /\bparseFloat\(/, why: 'money is parsed exactly, never as a float' },
  { pattern: /\bwriteFileSync\(/, why: 'the ledger file is replaced atomically (writeFileAtomic)' },
  { pattern: /\.toFixed\(\s*2\s*\)/, why: 'amounts are formatted with the currency exponent (formatMinor)' },
];

function sourceFiles(folder: string): string[] {
  const absolute = path.join(root, folder);
  const found: string[] = [];
  for (const name of readdirSync(absolute)) {
    const child = path.join(absolute, name);
    if (statSync(child).isDirectory()) found.push(...sourceFiles(path.relative(root, child)));
    else if (/\.(ts|tsx)$/.test(name)) found.push(child);
  }
  return found;
}

/** Functions and methods whose body runs past the limit: opening line at some indent to the first `}` at that indent. */
export function longFunctions(source: string, limit = functionLinesMax): { line: number; length: number }[] {
  const lines = source.split('\n');
  const functionStart = String.raw`(function\b|(public |private |protected |static |readonly )*[A-Za-z_$][\w$]*\s*(<[^>]*>)?\(.*\)\s*(:\s*[^={]+)?\{\s*$`;
  const arrowStart = String.raw`(const|let)\s+[A-Za-z_$][\w$]*\s*=\s*(async\s*)?\(.*\)\s*(:\s*[^=]+)?=>\s*\{\s*$)`;
  const opener = new RegExp(String.raw`^(\s*)(export\s+)?(default\s+)?(async\s+)?` + functionStart + '|' + arrowStart);
  const found: { line: number; length: number }[] = [];
  lines.forEach((text, index) => {
    const match = opener.exec(text);
    if (match === null || /^\s*(if|for|while|switch|catch|return)\b/.test(text)) return;
    const indent = match[1];
    const closes = (candidate: string) => candidate === `${indent}}` || candidate.startsWith(`${indent}};`) || candidate.startsWith(`${indent}})`);
    const end = lines.findIndex((candidate, after) => after > index && closes(candidate));
    if (end !== -1 && end - index + 1 > limit) found.push({ line: index + 1, length: end - index + 1 });
  });
  return found;
}

describe('code style', () => {
  const files = sourceFolders.flatMap(sourceFiles);

  it('keeps lines short enough to read side by side', () => {
    const long = files.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .map((text, index) => ({ file: path.relative(root, file), line: index + 1, length: text.length }))
        .filter((entry) => entry.length > lineLengthMax),
    );
    expect(long).toEqual([]);
  });

  it(`keeps functions under ${functionLinesMax} lines`, () => {
    const long = files.flatMap((file) => longFunctions(readFileSync(file, 'utf8')).map((entry) => ({ file: path.relative(root, file), ...entry })));
    expect(long).toEqual([]);
  });

  it('leaves no FIXME or XXX markers behind', () => {
    const marked = files.filter((file) => !file.endsWith('style.test.ts') && /\b(FIXME|XXX)\b/.test(readFileSync(file, 'utf8')));
    expect(marked.map((file) => path.relative(root, file))).toEqual([]);
  });

  it('uses none of the calls that would break money or durability in core and shared code', () => {
    const offenders = files
      .filter((file) => /[/\\](electron[/\\]core|shared)[/\\]/.test(file))
      .flatMap((file) => {
        const source = readFileSync(file, 'utf8');
        return bannedInCore.filter((banned) => banned.pattern.test(source)).map((banned) => `${path.relative(root, file)}: ${banned.why}`);
      });
    expect(offenders).toEqual([]);
  });

  it('finds a long function when there is one, so the check above can fail', () => {
    const body = Array.from({ length: 80 }, (_, index) => `  const value${index} = ${index};`).join('\n');
    expect(longFunctions(`export function tooLong(): void {\n${body}\n}\n`)).toEqual([{ line: 1, length: 82 }]);
    expect(longFunctions(`function short(): void {\n  return;\n}\n`)).toEqual([]);
  });
});
