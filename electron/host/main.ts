import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { displayLocation, isSharedLedgerUrl } from '../core/storage/postgres-log';
import { startHost } from './server';

/**
 * `node bin/host.mjs [--db FILE] [--port N]`: PayDesk in a browser. Opens the
 * ledger, serves the built renderer and the API on 127.0.0.1, prints the
 * address with its access token, and closes the ledger cleanly on Ctrl-C.
 */

export const defaultLedgerPath = path.join(os.homedir(), '.paydesk', 'ledger.paydesk');
export const defaultPort = 5180;
const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const defaultRendererFolder = path.join(repositoryRoot, 'out', 'renderer');

const usage = `Usage: node bin/host.mjs [--db FILE] [--port N]

  --db FILE   the ledger file to open or create (default ${defaultLedgerPath}),
              or a postgres://user:password@host/database URL: a shared ledger several desks open at once
  --port N    the port on 127.0.0.1 to listen on; 0 picks a free one (default ${defaultPort})
`;

interface HostArguments {
  ledgerPath: string;
  port: number;
}

function parseHostArguments(argv: string[]): HostArguments | string {
  let values: { db?: string; port?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { db: { type: 'string' }, port: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }));
  } catch (error) {
    return `${(error as Error).message}\n\n${usage}`;
  }
  if (values.help) return usage;
  const port = values.port === undefined ? defaultPort : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) return `--port must be a whole number from 0 to 65535.\n\n${usage}`;
  const ledgerPath = values.db ?? defaultLedgerPath;
  return { ledgerPath: isSharedLedgerUrl(ledgerPath) ? ledgerPath : path.resolve(ledgerPath), port };
}

async function main() {
  const parsed = parseHostArguments(process.argv.slice(2));
  if (typeof parsed === 'string') {
    process.stderr.write(parsed);
    process.exitCode = parsed === usage ? 0 : 2;
    return;
  }
  const host = await startHost({ ...parsed, rendererFolder: defaultRendererFolder });
  console.log(`PayDesk ledger: ${displayLocation(host.ledgerPath)}`);
  console.log(`PayDesk is running: ${host.url}`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`PayDesk: ${signal} received, closing the ledger...`);
    host.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('PayDesk: closing the ledger failed', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const hint = code === 'EADDRINUSE' ? ' Another program uses that port: pass --port N, or --port 0 for a free one.' : '';
  console.error(`PayDesk host failed to start: ${error instanceof Error ? error.message : String(error)}.${hint}`);
  process.exit(1);
});
