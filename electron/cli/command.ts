import type { Engine } from '../core/engine';
import { formatMinor } from '../../shared/money';
import type { Failure } from '../../shared/result';

/**
 * What every command shares: the shape of a command, its context, the exit
 * codes and the argument helpers. Commands import this file; commands.ts
 * gathers them into the table, and main.ts (the entry and composition root)
 * runs one. So the imports run one way: main -> commands -> command files -> here.
 */

/** Exit codes: 0 done, 1 the engine refused (a rejected payment, a failed verify), 2 bad arguments or an unreadable file. */
export const exitCodes = { ok: 0, refused: 1, usage: 2, stopped: 3 } as const;

/** A refusal that is not the request's fault: the ledger stopped after a failed write, and the outcome is unknown. */
export class LedgerStoppedExit extends Error {}

export class UsageError extends Error {}

export interface CommandContext {
  engine: Engine;
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  out: (text: string) => void;
}

type OptionSpec = Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>;

export interface Command {
  options: OptionSpec;
  positionals?: boolean;
  /** Only `init` may create a ledger file; every other command refuses a missing one. */
  createsLedger?: boolean;
  /** Works on a ledger on read-only media: opened without a lock and never written. */
  readOnly?: boolean;
  run(context: CommandContext): Promise<number>;
  /** For commands that must not open the ledger first (restore replaces a file that may be damaged). */
  runWithoutLedger?(context: Omit<CommandContext, 'engine'>): Promise<number>;
  /** False for a command that names its ledgers otherwise (`copy --from --to`). */
  needsDb?: false;
  /** Why the command refuses a shared ledger (a postgres:// URL), or null where it works on one. */
  refusesShared?(values: CommandContext['values']): string | null;
}

export function requireString(values: Record<string, unknown>, key: string): string {
  const value = values[key];
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`--${key} is required`);
  return value;
}

export function optionalString(values: Record<string, unknown>, key: string): string | undefined {
  const value = values[key];
  return typeof value === 'string' ? value : undefined;
}

/** A count with its noun: "1 payment", "2 payments", "1 audit entry" (give the plural where adding an s is wrong). */
export function countOf(count: number | string, noun: string, plural = `${noun}s`): string {
  return `${count} ${String(count) === '1' ? noun : plural}`;
}

/** A refusal from the engine as one line: the code and its sentence. */
export function describeFailure(result: Failure): string {
  if (result.code === 'LEDGER_STOPPED') throw new LedgerStoppedExit(`${result.code}: ${result.message}`);
  return `${result.code}: ${result.message}`;
}

export function balanceLine(code: string, currency: string, balanceMinor: number): { code: string; currency: string; balanceMinor: number; balance: string } {
  return { code, currency, balanceMinor, balance: formatMinor(balanceMinor, currency) };
}
