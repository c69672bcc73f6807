import Papa from 'papaparse';

/**
 * The one CSV reader of the engine, shared by batch files (streamed from
 * disk in pieces, electron/core/batch/csv-source.ts) and bank statements
 * (read whole, electron/core/reconciliation/statement-csv.ts). It turns
 * complete text into records with the file line each starts on, counted
 * across quoted line breaks and skipped blank records. Text without a quote
 * character is split with String.split, several times faster than a parser;
 * text with quotes goes through papaparse with a fixed delimiter and newline.
 */

export type CsvNewline = '\r\n' | '\n' | '\r';

export interface CsvTextDialect {
  delimiter: string;
  newline: CsvNewline;
}

export interface CsvRecord {
  line: number;
  fields: string[];
}

/** The first record's text: up to the first line break outside quotes. */
export function firstRecordText(text: string): string {
  let quoted = false;
  for (let index = 0; index < text.length; index++) {
    const character = text[index];
    if (character === '"') quoted = !quoted;
    else if (!quoted && (character === '\n' || character === '\r')) return text.slice(0, index);
  }
  return text;
}

/** The line break that ends the first record: CRLF, LF or CR (LF when the text is one record). */
export function newlineOf(text: string): CsvNewline {
  const at = firstRecordText(text).length;
  return text.startsWith('\r\n', at) ? '\r\n' : text[at] === '\r' ? '\r' : '\n';
}

/** The candidate seen most often outside quotes in the sample; the first candidate on a tie or when none is seen. */
export function guessDelimiter<Delimiter extends string>(sample: string, candidates: readonly Delimiter[]): Delimiter {
  const counts = new Map<string, number>(candidates.map((delimiter) => [delimiter, 0]));
  let quoted = false;
  for (const character of sample) {
    if (character === '"') quoted = !quoted;
    else if (!quoted && counts.has(character)) counts.set(character, counts.get(character)! + 1);
  }
  let best = candidates[0];
  for (const delimiter of candidates) if (counts.get(delimiter)! > counts.get(best)!) best = delimiter;
  return best;
}

/** The index just after the last line break that is outside quotes, or -1. Doubled quotes toggle twice, so parity holds. */
export function endOfLastRecord(text: string, newline: string): number {
  let quoted = false;
  let end = -1;
  let at = 0;
  for (;;) {
    const quote = text.indexOf('"', at);
    const limit = quote < 0 ? text.length : quote;
    if (!quoted) {
      const lastBreak = text.lastIndexOf(newline, limit - newline.length);
      if (lastBreak >= at) end = lastBreak + newline.length;
    }
    if (quote < 0) return end;
    quoted = !quoted;
    at = quote + 1;
  }
}

/**
 * Reads consecutive pieces of one file, each ending at a record boundary (or
 * the file's end), and numbers the records as the file does.
 */
export class CsvRecordReader {
  private line = 1;
  private readonly breakCharacter: string;

  constructor(
    private readonly dialect: CsvTextDialect,
    private readonly recordsPerGroup: number,
  ) {
    this.breakCharacter = dialect.newline === '\r' ? '\r' : '\n';
  }

  /** The records of `text` in groups; `final` when the text is the file's last piece (it may lack a closing line break). */
  *groups(text: string, final: boolean): Generator<CsvRecord[]> {
    const dialect = this.dialect;
    const options = { delimiter: dialect.delimiter, newline: dialect.newline, quoteChar: '"', header: false, skipEmptyLines: false } as const;
    const rows = text.includes('"') ? Papa.parse<string[]>(text, options).data : splitUnquoted(text, dialect);
    // A piece that ends with a line break parses to one empty row after it: not a line of the file.
    const count = !final || text.endsWith(dialect.newline) ? rows.length - 1 : rows.length;
    let group: CsvRecord[] = [];
    for (let index = 0; index < count; index++) {
      const fields = rows[index];
      const recordLine = this.line;
      this.line += 1 + lineBreaksInside(fields, this.breakCharacter);
      if (isBlank(fields)) continue;
      group.push({ line: recordLine, fields });
      if (group.length >= this.recordsPerGroup) {
        yield group;
        group = [];
      }
    }
    if (group.length > 0) yield group;
  }
}

/** Every non-blank record of a whole text, with its line. */
export function recordsOfText(text: string, dialect: CsvTextDialect): CsvRecord[] {
  const records: CsvRecord[] = [];
  for (const group of new CsvRecordReader(dialect, Number.MAX_SAFE_INTEGER).groups(text, true)) records.push(...group);
  return records;
}

/** The line a quoted field opens on when the text ends inside it, or null when every quote is closed. */
export function unclosedQuoteLine(text: string): number | null {
  let quoted = false;
  let openedAt = 0;
  for (let at = text.indexOf('"'); at >= 0; at = text.indexOf('"', at + 1)) {
    quoted = !quoted;
    if (quoted) openedAt = at;
  }
  if (!quoted) return null;
  const before = text.slice(0, openedAt);
  return before.split(/\r\n|\n|\r/).length;
}

/**
 * What papaparse makes of text that holds no quote character: lines split on
 * the newline, fields on the delimiter.
 */
function splitUnquoted(text: string, dialect: CsvTextDialect): string[][] {
  return text.split(dialect.newline).map((line) => line.split(dialect.delimiter));
}

function lineBreaksInside(fields: string[], breakCharacter: string): number {
  let count = 0;
  for (const field of fields) {
    let at = field.indexOf(breakCharacter);
    while (at >= 0) {
      count++;
      at = field.indexOf(breakCharacter, at + 1);
    }
  }
  return count;
}

function isBlank(fields: string[]): boolean {
  for (const field of fields) if (field.trim() !== '') return false;
  return true;
}
