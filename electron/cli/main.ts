import { exitCodes } from './command';

const usage = `usage: paydesk <command> --db FILE|postgres://... [options]
(wherever --db FILE is named, a PostgreSQL URL may be named instead: a shared ledger; demo works on files only)
commands:
  init --db FILE [--demo]   (--demo: a demo ledger with a few accounts; only a demo ledger runs the load generator)
  account add --db FILE --code C --name N --currency CUR [--opening-balance AMOUNT] [--overdraft-limit AMOUNT]
  pay --db FILE --id ID --from A --to B --amount AMOUNT --currency CUR [--reference R] [--json]
  balances --db FILE [--json]
  batch --db FILE INPUT.csv [--delimiter ,|;|tab] [--map field=Header ...] [--results OUT.csv] [--json]
  batch --db FILE --resume BATCH_ID [--results OUT.csv] [--json]   (a paused or interrupted batch, from its last committed chunk)
  account identify --db FILE --code C (--iban IBAN | --other-id ID) [--remove]   (--remove: take it off the account)
  reconcile --db FILE [--account CODE] [--statement N] [--from DATE --to DATE] STATEMENT [--json] [--report OUT.csv]
            [--format csv|camt052|camt053|camt054|mt940] [--date-order day-first|month-first] [--tolerance AMOUNT] [--window DAYS] [--map field=Header ...]
  verify --db FILE
  backup --db FILE [--json]   (into the ledger's backup folder, as the Backups page does; a shared ledger's backup is a file ledger)
  restore --db FILE BACKUP   (the current file and journal move aside into FILE.before-restore-TIME/;
                              with a postgres:// URL, into a database that holds no ledger yet)
  metrics --db FILE [--range 5m|1h|24h|all] [--traffic all|realtime|batch] [--json] [--time]
  demo --db FILE [--payments N] [--out FOLDER] [--seed N]   (a new demo ledger with a day of history and sample files)
  copy --from FILE|URL --to URL|FILE   (a file ledger into a new shared ledger on PostgreSQL, or back; verified on both sides)`;

/** Loads the part of the CLI that runs commands (the engine, sql.js); the shipped bundle passes its own loader. */
export type RunCommandLoader = () => Promise<{ runCommand(argv: string[]): Promise<number> }>;

/**
 * The entry of `paydesk`. Help is answered from here; any other command loads
 * run-command.ts (and with it the engine and sql.js) first, so `--help` stays instant.
 */
export async function main(argv: string[], loadRunCommand: RunCommandLoader = () => import('./run-command')): Promise<number> {
  const [first] = argv;
  if (first === '--help' || first === 'help') {
    process.stdout.write(`${usage}\n`);
    return exitCodes.ok;
  }
  if (first === undefined) {
    process.stderr.write(`${usage}\n`);
    return exitCodes.usage;
  }
  const { runCommand } = await loadRunCommand();
  return runCommand(argv);
}
