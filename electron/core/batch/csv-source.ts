import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { batchDelimiters, batchLimits, type BatchDelimiter } from '../../../shared/batch';
import { CsvRecordReader, endOfLastRecord, firstRecordText, guessDelimiter, newlineOf, type CsvRecord } from '../csv/csv-records';

export type { CsvRecord } from '../csv/csv-records';

/**
 * Reads a batch file as CSV records, streaming: the file is parsed as it is
 * read from disk by the engine's one CSV reader (electron/core/csv), and
 * records reach the caller in small groups, so a million-row file never sits
 * in memory as objects. Each record carries its file line number (1 is the
 * header), counted across quoted line breaks and skipped empty lines.
 */

/** Bytes read to detect the delimiter and the line ending. */
const sniffBytes = 64 * 1024;
/** Records handed to the caller at a time: amortises the await per group. */
export const recordsPerGroup = 1_000;
/** The longest single record accepted (a guard against an unclosed quote swallowing the file). */
const maxRecordChars = 1024 * 1024;
/** Read size from disk: a piece is parsed in one go, so this bounds how long a parse holds the event loop (about 5 ms). */
const readChunkBytes = 256 * 1024;

export interface CsvDialect {
  delimiter: BatchDelimiter;
  newline: '\r\n' | '\n' | '\r';
  /** 3 when the file starts with a UTF-8 byte order mark, else 0. */
  bomBytes: number;
}

/** Raised when a file cannot be read or holds nothing; the message is one sentence for the operator. */
export class BatchFileError extends Error {}

export async function detectDialect(filePath: string): Promise<CsvDialect> {
  const head = await readHead(filePath);
  const bomBytes = head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  const text = head.subarray(bomBytes).toString('utf8');
  if (text.trim() === '') throw new BatchFileError(`${filePath} is empty: it holds no header and no rows.`);
  // The header alone decides the delimiter: a batch file has no preamble, and its rows' references may hold any character.
  return { delimiter: guessDelimiter(firstRecordText(text), batchDelimiters), newline: newlineOf(text), bomBytes };
}

async function readHead(filePath: string): Promise<Buffer> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(filePath, 'r');
  } catch (error) {
    throw new BatchFileError(`${filePath} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new BatchFileError(`${filePath} is not a file.`);
    if (stat.size === 0) throw new BatchFileError(`${filePath} is empty: it holds no header and no rows.`);
    if (stat.size > batchLimits.fileBytes) throw new BatchFileError(`${filePath} is larger than ${batchLimits.fileBytes} bytes.`);
    const buffer = Buffer.alloc(Math.min(sniffBytes, stat.size));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * Every non-empty record of the file in order, header first, in groups. A row
 * whose fields are all blank is an empty line: skipped, but its lines counted.
 *
 * The file is read in large pieces; each piece is cut after its last line
 * break outside quotes and that complete part is parsed at once, the rest
 * carried into the next piece. (papaparse's own Node stream pauses per
 * row and re-copies its buffer each time, which is quadratic on large files.)
 */
export async function* readCsvRecords(filePath: string, dialect: CsvDialect, pieceBytes = readChunkBytes): AsyncGenerator<CsvRecord[]> {
  const input = createReadStream(filePath, { encoding: 'utf8', start: dialect.bomBytes, highWaterMark: pieceBytes });
  const reader = new CsvRecordReader(dialect, recordsPerGroup);
  let carry = '';
  try {
    for await (const piece of input as AsyncIterable<string>) {
      const text = carry + piece;
      const cut = endOfLastRecord(text, dialect.newline);
      if (cut < 0) {
        if (text.length > maxRecordChars) throw new BatchFileError(`A record of the file is longer than ${maxRecordChars} characters; is a quote left open?`);
        carry = text;
        continue;
      }
      carry = text.slice(cut);
      yield* yieldingTurns(reader.groups(text.slice(0, cut), false));
    }
  } finally {
    input.destroy();
  }
  if (carry !== '') yield* yieldingTurns(reader.groups(carry, true));
}

/**
 * Hands on each group and then lets the event loop take a turn: without it a
 * consumer's work on every group of a piece runs in one go (an async
 * generator's yield is a microtask), and a validation pass held the loop for
 * 100 ms at a time, long enough for a payment from the form to notice.
 */
async function* yieldingTurns(groups: Iterable<CsvRecord[]>): AsyncGenerator<CsvRecord[]> {
  for (const group of groups) {
    yield group;
    await yieldToEventLoop();
  }
}

/** SHA-256 of the file's bytes, hex: the same content is recognised whatever its name. */
export async function hashFile(filePath: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(filePath, { highWaterMark: readChunkBytes })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
