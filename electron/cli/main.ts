import { existsSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { Engine } from '../core/engine';
import { LedgerOpenError } from '../core/ledger-store';
import { isSharedLedgerUrl, SharedLedgerError } from '../core/storage/postgres-log';
import { exitCodes, LedgerStoppedExit, requireString, UsageError, type CommandContext } from './command';
import { commandTable } from './commands';

const usage = `usage: paydesk <command> --db FILE|postgres://... [options]
(wherever --db FILE is named, a PostgreSQL URL may be named instead: a shared ledger; demo and restore work on files only)
commands:
  init --db FILE [--demo]   (--demo: a demo ledger with a few accounts; only a demo ledger runs the load generator)
  account add --db FILE --code C --name N --currency CUR [--opening-balance AMOUNT] [--overdraft-limit AMOUNT]
  pay --db FILE --id ID --from A --to B --amount AMOUNT --currency CUR [--reference R] [--json]
  balances --db FILE [--json]
  batch --db FILE INPUT.csv [--delimiter ,|;|tab] [--map field=Header ...] [--results OUT.csv] [--json]
  account identify --db FILE --code C (--iban IBAN | --other-id ID)
  reconcile --db FILE [--account CODE] [--statement N] [--from DATE --to DATE] STATEMENT [--json] [--report OUT.csv]
            [--format csv|camt052|camt053|camt054|mt940] [--date-order day-first|month-first] [--tolerance AMOUNT] [--window DAYS] [--map field=Header ...]
  verify --db FILE
  restore --db FILE BACKUP   (the current file and journal move aside into FILE.before-restore-TIME/)
  metrics --db FILE [--range 5m|1h|24h|all] [--traffic all|realtime|batch] [--json] [--time]
  demo --db FILE [--payments N] [--out FOLDER] [--seed N]   (a new demo ledger with a day of history and sample files)
  copy --from FILE|URL --to URL|FILE   (a file ledger into a new shared ledger on PostgreSQL, or back; verified on both sides)`;

export async function main(argv: string[]): Promise<number> {
  const [first, second] = argv;
  const name = first === 'account' ? `account ${second ?? ''}`.trim() : first;
  const command = name === undefined ? undefined : commandTable[name];
  if (command === undefined) {
    if (name === '--help' || name === 'help') {
      process.stdout.write(`${usage}\n`);
      return exitCodes.ok;
    }
    process.stderr.write(name === undefined ? `${usage}\n` : `paydesk: unknown command "${name}"; "paydesk --help" lists them\n`);
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
  } finally {
    const closed = await engine?.close();
    // The command's outcome stands: its journal frame is on disk, and the next open replays it.
    if (closed?.warning) process.stderr.write(`paydesk: warning: ${closed.warning}\n`);
  }
}
