import { existsSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { Engine } from '../core/engine';
import { LedgerOpenError } from '../core/ledger-store';
import { isSharedLedgerUrl, SharedLedgerError } from '../core/storage/postgres-log';
import { exitCodes, LedgerStoppedExit, requireString, UsageError, type CommandContext } from './command';
import { commandTable } from './commands';

/**
 * Runs one command: parses its options, opens the ledger, runs it and closes the ledger.
 * main.ts imports this file only once it knows a command is asked for, so `--help` never
 * loads the engine or sql.js.
 */
export async function runCommand(argv: string[]): Promise<number> {
  const [first, second] = argv;
  const name = first === 'account' ? `account ${second ?? ''}`.trim() : first;
  const command = commandTable[name];
  if (command === undefined) {
    process.stderr.write(`paydesk: unknown command "${name}"; "paydesk --help" lists them\n`);
    return exitCodes.usage;
  }
  const rest = argv.slice(name.split(' ').length);
  let engine: Engine | undefined;
  try {
    const options = command.options as ParseArgsConfig['options'];
    const parsed = parseArgs({ args: rest, options, allowPositionals: command.positionals ?? false, strict: true });
    const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
    const ledgerPath = command.needsDb === false ? '' : requireString(values, 'db');
    const shared = isSharedLedgerUrl(ledgerPath);
    const sharedRefusal = shared ? (command.refusesShared?.(values) ?? null) : null;
    if (sharedRefusal !== null) {
      process.stderr.write(`paydesk: SHARED_UNSUPPORTED: ${name} is not available for a shared ledger on PostgreSQL: ${sharedRefusal}. Nothing was changed.\n`);
      return exitCodes.refused;
    }
    if (command.runWithoutLedger !== undefined) {
      return await command.runWithoutLedger({ values, positionals: parsed.positionals, out: (text) => process.stdout.write(`${text}\n`) });
    }
    if (!shared && !command.createsLedger && !existsSync(ledgerPath)) {
      throw new UsageError(`no ledger at ${ledgerPath}; create one with "paydesk init --db ${ledgerPath}"`);
    }
    if (!shared && command.createsLedger && existsSync(ledgerPath)) throw new UsageError(`${ledgerPath} already exists; it was left as it is`);
    engine = await Engine.open(ledgerPath, {
      create: command.createsLedger === true, mustBeNew: command.createsLedger === true, liveUpdates: false,
      readOnly: command.readOnly === true ? 'auto' : undefined,
    });
    const context: CommandContext = { engine, values, positionals: parsed.positionals, out: (text) => process.stdout.write(`${text}\n`) };
    return await command.run(context);
  } catch (error) {
    return reportError(error, name);
  } finally {
    const closed = await engine?.close();
    // The command's outcome stands: its journal frame is on disk, and the next open replays it.
    if (closed?.warning) process.stderr.write(`paydesk: warning: ${closed.warning}\n`);
  }
}

function reportError(error: unknown, name: string): number {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof LedgerStoppedExit) {
    process.stderr.write(`paydesk: ${message}\n`);
    return exitCodes.stopped;
  }
  if (error instanceof LedgerOpenError && name === 'verify') {
    process.stdout.write(`FAILED: ${message}\n`);
    return exitCodes.refused;
  }
  if (error instanceof SharedLedgerError) {
    process.stderr.write(`paydesk: ${error.code}: ${message}\n`);
    return exitCodes.usage;
  }
  const known = error instanceof UsageError || error instanceof LedgerOpenError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
  process.stderr.write(`paydesk: ${known ? message : `unexpected error: ${message}`}\n`.replace(/\n(?!$)/g, ' '));
  return exitCodes.usage;
}
