import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { batchLimits } from '../../shared/batch';
import { sessionHeaderName } from '../../electron/host/server';
import { splitForUpload } from '../../renderer/src/pages/batches/upload-chunks';
import { peakRssOfRunningMb, repositoryRoot } from './processes';

/**
 * A batch driven the way an operator drives it in the browser: `node bin/host.mjs`
 * runs as its own process; the file is read, uploaded in the renderer's chunks,
 * inspected, validated with the suggested mapping and started over HTTP, and the
 * batch is read every 100 ms until it stops (the page follows progress events).
 */

/** How often the bench asks whether the batch has finished; the figure is at most this much late. */
const pollIntervalMs = 100;

interface HostProcess {
  child: ChildProcess;
  origin: string;
  token: string;
}

function startHostProcess(ledgerPath: string): Promise<HostProcess> {
  const child = spawn(process.execPath, ['bin/host.mjs', '--db', ledgerPath, '--port', '0'], { cwd: repositoryRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /PayDesk is running: (http:\/\/127\.0\.0\.1:\d+)\/#token=([\w-]{32})\n/.exec(output);
      if (match) resolve({ child, origin: match[1], token: match[2] });
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`the host exited with ${code}: ${output}`)));
  });
}

async function stopHostProcess(host: HostProcess): Promise<void> {
  const exited = new Promise((resolve) => host.child.once('exit', resolve));
  host.child.kill('SIGINT');
  await exited;
}

type Reply = { ok: true; value: Record<string, unknown> } | { ok: false; code: string; message: string };

function client(host: HostProcess) {
  const headers: Record<string, string> = { authorization: `Bearer ${host.token}`, 'content-type': 'application/json' };
  return {
    headers,
    async post<Value = Record<string, unknown>>(channel: string, body: unknown): Promise<Value> {
      const response = await fetch(`${host.origin}/api/${channel}`, { method: 'POST', headers, body: JSON.stringify(body) });
      const reply = (await response.json()) as Reply;
      if (!reply.ok) throw new Error(`${channel} failed: ${reply.code} ${reply.message}`);
      return reply.value as Value;
    },
  };
}

export interface HostBatchRun {
  wallMs: number;
  peakRssMb: number;
  accepted: number;
}

/** Runs the whole batch through a host process on `ledgerPath` (a ledger with the accounts the file pays between). */
export async function hostBatch(ledgerPath: string, inputPath: string): Promise<HostBatchRun> {
  const host = await startHostProcess(ledgerPath);
  try {
    const api = client(host);
    const signedIn = await api.post<{ sessionId: string }>('session-setup', { username: 'bench', displayName: 'Bench', password: 'bench-password-1' });
    api.headers[sessionHeaderName] = signedIn.sessionId;
    const startNs = process.hrtime.bigint();
    const text = await readFile(inputPath, 'utf8');
    let fileId: string | null = null;
    let offset = 0;
    for (const chunk of splitForUpload(text, batchLimits.uploadChunkChars)) {
      const request = { fileId, fileName: path.basename(inputPath), offset, text: chunk };
      const receipt: { fileId: string; bytesReceived: number } = await api.post('batch-upload', request);
      fileId = receipt.fileId;
      offset = receipt.bytesReceived;
    }
    const preview = await api.post<{ suggestedMapping: unknown }>('batch-inspect', { fileId });
    const validation = await api.post<{ batch: { batchId: string } }>('batch-validate', { fileId, mapping: preview.suggestedMapping });
    const { batchId } = validation.batch;
    let summary = await api.post<{ status: string; accepted: number }>('batch-start', { batchId });
    while (summary.status === 'running' || summary.status === 'validated') {
      await new Promise((resolve) => setTimeout(resolve, pollIntervalMs));
      summary = await api.post('batch-get', { batchId });
    }
    const wallMs = Number(process.hrtime.bigint() - startNs) / 1e6;
    if (summary.status !== 'completed') throw new Error(`the host's batch ended ${summary.status}`);
    return { wallMs, peakRssMb: peakRssOfRunningMb(host.child.pid!), accepted: summary.accepted };
  } finally {
    await stopHostProcess(host);
  }
}
