import { z } from 'zod';
import type { Result } from './result';

/**
 * What the Electron shell and its window agree on beyond the engine's
 * contract: the form for File > Open Shared Ledger… The shell asks the window
 * to show the form (an event with what to prefill) and the window sends back
 * what the operator typed (one request, one promise). The loopback host has no
 * shell, so it offers none of this; the window shows the form only where the
 * preload exposes `window.paydeskDesk`.
 */

/** The longest host name, user name and database name the form takes (PostgreSQL's identifiers are 63 bytes). */
export const sharedConnectionLimits = { hostLength: 253, userLength: 63, databaseLength: 63, passwordLength: 1_000 } as const;

export const defaultPostgresPort = 5432;

/** What the shell asks the window to show. The password never travels this way. */
export interface SharedLedgerFormRequest {
  host: string;
  port: number;
  database: string;
  user: string;
  /** Whether this computer can keep the password encrypted (Electron's safeStorage). */
  canRememberPassword: boolean;
  /** Whether the password was kept last time, so the box starts ticked. */
  rememberPassword: boolean;
  /** Why the form opened on its own, as a sentence (the password is missing, or the last ledger did not reopen); null from the menu. */
  reason: string | null;
}

/** What the window sends back once the operator presses Open. */
export interface SharedLedgerConnectRequest {
  host: string;
  port: string;
  database: string;
  user: string;
  password: string;
  rememberPassword: boolean;
}

/** The answer: the ledger now open, without its password, and a sentence when it opened but something else did not work. */
export interface SharedLedgerConnected {
  location: string;
  notice: string | null;
}

const noControlCharacters = /^[^\u0000-\u001f\u007f]*$/;

/**
 * A database name travels in the URL's path, which the pg client decodes with
 * decodeURI: these characters could not be written there and read back the
 * same, so they are refused rather than sent somewhere else.
 */
const databaseReservedCharacters = /[;/?:@&=+$,#%\\]/;

export const sharedLedgerConnectSchema = z.object({
  host: z
    .string({ error: 'The server is required.' })
    .trim()
    .min(1, 'The server is required.')
    .max(sharedConnectionLimits.hostLength, `The server name is at most ${sharedConnectionLimits.hostLength} characters.`)
    .regex(/^(\[[0-9A-Fa-f:.]+\]|[0-9A-Fa-f:.]+|[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?)$/, 'The server is a host name such as db.example or an IP address.'),
  port: z
    .string({ error: 'The port is required.' })
    .trim()
    .regex(/^[0-9]{1,5}$/, 'The port is a number from 1 to 65535, usually 5432.')
    .refine((text) => Number(text) >= 1 && Number(text) <= 65_535, 'The port is a number from 1 to 65535, usually 5432.'),
  database: z
    .string({ error: 'The database is required.' })
    .trim()
    .min(1, 'The database is required.')
    .max(sharedConnectionLimits.databaseLength, `The database name is at most ${sharedConnectionLimits.databaseLength} characters.`)
    .regex(noControlCharacters, 'The database name may not hold control characters.')
    .refine((text) => !databaseReservedCharacters.test(text), 'The database name may not hold any of ; / ? : @ & = + $ , # % \\'),
  user: z
    .string({ error: 'The user is required.' })
    .trim()
    .min(1, 'The user is required.')
    .max(sharedConnectionLimits.userLength, `The user name is at most ${sharedConnectionLimits.userLength} characters.`)
    .regex(noControlCharacters, 'The user name may not hold control characters.'),
  password: z
    .string({ error: 'The password is required.' })
    .max(sharedConnectionLimits.passwordLength, `The password is at most ${sharedConnectionLimits.passwordLength} characters.`)
    .regex(noControlCharacters, 'The password may not hold control characters.'),
  rememberPassword: z.boolean({ error: 'Say whether to remember the password.' }),
});

export type ParsedSharedLedgerConnect = z.output<typeof sharedLedgerConnectSchema>;

/** What the preload exposes as `window.paydeskDesk` inside Electron. */
export interface PayDeskDeskApi {
  connectSharedLedger(request: SharedLedgerConnectRequest): Promise<Result<SharedLedgerConnected>>;
  /** The shell asks for the form (File > Open Shared Ledger…, or at start when the password is needed); returns the unsubscribe. */
  onDidRequestSharedLedgerForm(listener: (form: SharedLedgerFormRequest) => void): () => void;
}

/** IPC names, under their own prefix so they never meet the engine's channels. */
export const deskIpc = {
  connectSharedLedger: 'paydesk-desk:shared-ledger-connect',
  sharedLedgerFormRequested: 'paydesk-desk:shared-ledger-form-requested',
} as const;
