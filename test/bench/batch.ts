import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { generateBatch, defaultAccounts } from '../../scripts/generate-batch';
import type { BenchCase, Figure } from './harness';

const run = promisify(execFile);
const workerPath = path.join(import.meta.dirname, 'batch-worker.ts');

/** Runs one mode of batch-worker.ts in a process of its own; its JSON line of figures. */
export async function batchWorker(mode: string, inputPath: string, workFolder: string): Promise<Record<string, number>> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', workerPath, mode, inputPath, workFolder], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

const generated = new Map<string, string>();

/** The seeded input of `rows` rows, generated once per run of the bench. */
export async function inputFile(workFolder: string, rows: number, seed: number): Promise<string> {
  const key = `${rows}:${seed}`;
  if (!generated.has(key)) {
    const filePath = path.join(workFolder, `batch-${rows}.csv`);
    await generateBatch(filePath, rows, seed, 'BENCH', defaultAccounts);
    generated.set(key, filePath);
  }
  return generated.get(key)!;
}

/**
 * The batch pipeline end to end (stream-parse from disk, validate, post,
 * commit every chunk durably, write the results file), beside the naive
 * baseline, the in-memory limit and the storage floor (the pipeline's apply
 * step alone), each in a process of its own so each peak RSS is its own. The
 * pipeline's phases are reported too, to show where its time goes. While it
 * runs, a single payment goes in every 50 ms, as an operator at the form
 * would send it.
 */
export const batchEndToEnd: BenchCase = {
  name: 'batch',
  async run({ workFolder, rows, seed }) {
    const inputPath = await inputFile(workFolder, rows, seed);
    const pipeline = await batchWorker('pipeline', inputPath, workFolder);
    const naive = await batchWorker('naive', inputPath, workFolder);
    const memory = await batchWorker('memory', inputPath, workFolder);
    const floor = await batchWorker('apply-floor', String(rows), workFolder);
    const rate = (side: Record<string, number>) => (rows / side.ms) * 1000;
    return [
      { name: 'pipeline, end to end', value: rate(pipeline), unit: 'rows/s', target: { kind: 'min', value: 250_000 } },
      { name: 'pipeline peak RSS', value: pipeline.maxRssMb, unit: 'MB', target: { kind: 'max', value: 1536 } },
      { name: 'pipeline: import and validate', value: pipeline.validateMs / 1000, unit: 's' },
      { name: 'pipeline: process (post, commit, stream results)', value: pipeline.processMs / 1000, unit: 's' },
      { name: 'pipeline: finish the results file', value: pipeline.resultsMs / 1000, unit: 's' },
      { name: 'naive baseline', value: rate(naive), unit: 'rows/s' },
      { name: 'in-memory limit', value: rate(memory), unit: 'rows/s' },
      { name: 'storage floor: applying the rows to sql.js alone', value: rate(floor), unit: 'rows/s' },
      { name: 'pipeline / naive', value: rate(pipeline) / rate(naive), unit: 'x', target: { kind: 'min', value: 2 } },
      { name: 'pipeline / in-memory limit', value: rate(pipeline) / rate(memory), unit: 'x', target: { kind: 'min', value: 0.5 } },
      { name: 'single payment during the batch, p99', value: pipeline.singleP99Ms, unit: 'ms', target: { kind: 'max', value: 100 } },
      { name: 'single payment during the batch, max', value: pipeline.singleMaxMs, unit: 'ms' },
    ] satisfies Figure[];
  },
};
