import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { displayLocation, isSharedLedgerUrl } from '../core/storage/postgres-log';
import {
  defaultPostgresPort,
  sharedLedgerConnectSchema,
  type SharedLedgerConnected,
  type SharedLedgerFormRequest,
} from '../../shared/desk';
import { failure, success, type Result } from '../../shared/result';
import type { ReasonCode } from '../../shared/codes';

/**
 * The desktop app's own settings (docs/architecture.md, "The desktop app's
 * settings"): which ledger was open last, so the app reopens it at start, and
 * for a shared ledger on PostgreSQL the connection without its password. The
 * password is kept only encrypted by the cipher the shell passes in
 * (Electron's safeStorage), only when the operator asked and the cipher can
 * encrypt; otherwise the form asks for it again. This module takes no
 * `electron` import, so it is tested in Node on real files.
 */

export const deskSettingsFileName = 'paydesk-settings.json';

/** A settings file larger than this is not PayDesk's: it is set aside, not read. */
export const deskSettingsBytesMax = 64 * 1024;

/** The slice of Electron's safeStorage this module uses. */
export interface PasswordCipher {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

export interface SharedConnection {
  host: string;
  port: number;
  database: string;
  user: string;
}

/** The shared ledger last opened from the form: kept when a file is opened later, so the form is prefilled next time. */
export interface KeptSharedLedger {
  connection: SharedConnection;
  /** safeStorage's encryption of the password, base64; null when not kept. */
  encryptedPasswordBase64: string | null;
}

export type LastLedger = { kind: 'file'; path: string } | { kind: 'shared' };

export interface DeskSettings {
  version: 1;
  lastLedger: LastLedger | null;
  sharedLedger: KeptSharedLedger | null;
}

export const emptyDeskSettings: DeskSettings = { version: 1, lastLedger: null, sharedLedger: null };

export interface ReadSettings {
  settings: DeskSettings;
  /** A sentence when the file existed but could not be used (it is then ignored and rewritten on the next save). */
  problem: string | null;
}

export async function readDeskSettings(settingsPath: string): Promise<ReadSettings> {
  let text: string;
  try {
    text = await readFile(settingsPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { settings: emptyDeskSettings, problem: null };
    return { settings: emptyDeskSettings, problem: `The settings in ${settingsPath} could not be read: ${(error as Error).message}.` };
  }
  if (Buffer.byteLength(text) > deskSettingsBytesMax) {
    return { settings: emptyDeskSettings, problem: `The settings in ${settingsPath} are larger than ${deskSettingsBytesMax} bytes and were ignored.` };
  }
  try {
    return { settings: parseDeskSettings(JSON.parse(text) as unknown), problem: null };
  } catch (error) {
    return { settings: emptyDeskSettings, problem: `The settings in ${settingsPath} were ignored: ${(error as Error).message}` };
  }
}

function parseDeskSettings(value: unknown): DeskSettings {
  const record = value as { version?: unknown; lastLedger?: unknown; sharedLedger?: unknown } | null;
  if (record === null || typeof record !== 'object' || record.version !== 1) throw new Error('they are not version 1 of PayDesk settings.');
  const sharedLedger = parseKeptSharedLedger(record.sharedLedger);
  const last = record.lastLedger as Record<string, unknown> | null | undefined;
  if (last === null || last === undefined) return { version: 1, lastLedger: null, sharedLedger };
  if (last.kind === 'file' && typeof last.path === 'string') return { version: 1, lastLedger: { kind: 'file', path: last.path }, sharedLedger };
  if (last.kind === 'shared' && sharedLedger !== null) return { version: 1, lastLedger: { kind: 'shared' }, sharedLedger };
  throw new Error('the last ledger they name is not readable.');
}

function parseKeptSharedLedger(value: unknown): KeptSharedLedger | null {
  if (value === null || value === undefined) return null;
  const kept = value as { connection?: Record<string, unknown>; encryptedPasswordBase64?: unknown };
  const connection = kept.connection;
  const encrypted = kept.encryptedPasswordBase64 ?? null;
  const parsed = sharedLedgerConnectSchema.omit({ password: true, rememberPassword: true }).safeParse({
    ...connection,
    port: typeof connection?.port === 'number' ? String(connection.port) : connection?.port,
  });
  if (!parsed.success || (encrypted !== null && typeof encrypted !== 'string')) throw new Error('the shared ledger they name is not readable.');
  const { host, port, database, user } = parsed.data;
  return { connection: { host, port: Number(port), database, user }, encryptedPasswordBase64: encrypted };
}

/** Writes the settings whole or not at all: a new file beside the old one, flushed, then renamed over it. */
export async function writeDeskSettings(settingsPath: string, settings: DeskSettings): Promise<void> {
  const text = `${JSON.stringify(settings, null, 2)}\n`;
  const temporaryPath = path.join(path.dirname(settingsPath), `.${path.basename(settingsPath)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temporaryPath, 'wx', 0o600);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temporaryPath, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(temporaryPath, settingsPath);
  } catch (error) {
    await rm(temporaryPath, { force: true });
    throw error;
  }
  await syncFolder(path.dirname(settingsPath));
}

async function syncFolder(folder: string): Promise<void> {
  // The rename is durable once the folder's entry is; Windows cannot open a folder for this, and does not need to.
  if (process.platform === 'win32') return;
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * The postgres:// URL for a connection. User, password and database are
 * percent-encoded, so that `@ : / ? #` and spaces in them reach PostgreSQL as
 * typed; the same connection always gives the same URL without its password
 * (the batch folder of a shared ledger is keyed on that).
 */
export function sharedLedgerUrl(connection: SharedConnection, password: string): string {
  const host = connection.host.replace(/^\[(.*)\]$/, '$1');
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const credentials = password === '' ? encodeURIComponent(connection.user) : `${encodeURIComponent(connection.user)}:${encodeURIComponent(password)}`;
  return `postgres://${credentials}@${hostPart}:${connection.port}/${encodeURIComponent(connection.database)}`;
}

/** The form the shell shows, prefilled from the last shared connection (or empty but for the port). */
export function sharedLedgerForm(settings: DeskSettings, cipher: PasswordCipher, reason: string | null): SharedLedgerFormRequest {
  const last = settings.sharedLedger;
  const canRememberPassword = cipher.isEncryptionAvailable();
  return {
    host: last?.connection.host ?? '',
    port: last?.connection.port ?? defaultPostgresPort,
    database: last?.connection.database ?? '',
    user: last?.connection.user ?? '',
    canRememberPassword,
    rememberPassword: canRememberPassword && (last?.encryptedPasswordBase64 ?? null) !== null,
    reason,
  };
}

export type RememberedPassword = { ok: true; password: string } | { ok: false; reason: string };

/** The kept password of the last shared ledger, or the sentence the form shows when it has to ask. */
export function rememberedPassword(last: KeptSharedLedger, cipher: PasswordCipher): RememberedPassword {
  const where = describeConnection(last.connection);
  if (last.encryptedPasswordBase64 === null) return { ok: false, reason: `Enter the password to reopen the shared ledger in ${where}.` };
  if (!cipher.isEncryptionAvailable()) {
    return { ok: false, reason: `The saved password for the shared ledger in ${where} cannot be decrypted on this computer now; enter it.` };
  }
  try {
    return { ok: true, password: cipher.decryptString(Buffer.from(last.encryptedPasswordBase64, 'base64')) };
  } catch {
    return { ok: false, reason: `The saved password for the shared ledger in ${where} could not be decrypted (saved by another user?); enter it again.` };
  }
}

/** The settings after a shared ledger opened: its connection, and its password encrypted only when asked and possible. */
export function settingsWithShared(
  connection: SharedConnection, password: string, rememberPassword: boolean, cipher: PasswordCipher,
): DeskSettings {
  const keep = rememberPassword && password !== '' && cipher.isEncryptionAvailable();
  const encryptedPasswordBase64 = keep ? cipher.encryptString(password).toString('base64') : null;
  return { version: 1, lastLedger: { kind: 'shared' }, sharedLedger: { connection, encryptedPasswordBase64 } };
}

/** The settings after a file opened: the shared connection stays for the form. */
export function settingsWithFile(previous: DeskSettings, ledgerPath: string): DeskSettings {
  return { ...previous, lastLedger: { kind: 'file', path: ledgerPath } };
}

/** A shared ledger in words, for sentences: database "books" on db.example:5432, user ops. */
export function describeConnection(connection: SharedConnection): string {
  return `database "${connection.database}" on ${connection.host}:${connection.port}, user ${connection.user}`;
}

/** How the shell opens a ledger: its EngineHolder, which keeps the previous ledger open when this throws. */
export type OpenLedger = (location: string, create: boolean) => Promise<void>;

export interface SharedLedgerDependencies {
  open: OpenLedger;
  settingsPath: string;
  cipher: PasswordCipher;
}

const passedThroughCodes: readonly ReasonCode[] = ['SHARED_UNREACHABLE', 'NO_LEDGER'];

/**
 * Opens the shared ledger the form names, then keeps the connection in the
 * settings. A refusal says why in a sentence that never holds the password,
 * and leaves the previous ledger open and the settings as they were.
 */
export async function connectSharedLedger(request: unknown, dependencies: SharedLedgerDependencies): Promise<Result<SharedLedgerConnected>> {
  const parsed = sharedLedgerConnectSchema.safeParse(request);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return failure('FF01', issue.message, issue.path.map(String).join('.') || undefined);
  }
  const { host, port, database, user, password, rememberPassword } = parsed.data;
  const connection: SharedConnection = { host: host.replace(/^\[(.*)\]$/, '$1'), port: Number(port), database, user };
  const location = sharedLedgerUrl(connection, password);
  try {
    // An existing ledger only: a new one is made with "paydesk init --db URL", never by a typo in the form.
    await dependencies.open(location, false);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const known = passedThroughCodes.find((candidate) => candidate === code);
    return failure(known ?? 'LEDGER_OPEN_FAILED', withoutPassword(openFailureSentence(error), password));
  }
  let notice: string | null = null;
  try {
    await writeDeskSettings(dependencies.settingsPath, settingsWithShared(connection, password, rememberPassword, dependencies.cipher));
  } catch (error) {
    notice = `The shared ledger is open, but the connection could not be saved for next time: ${(error as Error).message}`;
  }
  if (notice === null && rememberPassword && !dependencies.cipher.isEncryptionAvailable()) {
    notice = 'This computer cannot encrypt the password, so it was not saved: PayDesk will ask for it next time.';
  }
  return success({ location: displayLocation(location), notice });
}

function openFailureSentence(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.endsWith('.') ? `${message} The previous ledger is still open.` : `${message}. The previous ledger is still open.`;
}

/** Removes the password from a sentence, as typed and as it appears in a URL, whatever the error said. */
export function withoutPassword(sentence: string, password: string): string {
  if (password === '') return sentence;
  let clean = sentence;
  for (const form of new Set([encodeURIComponent(password), password])) clean = clean.split(form).join('***');
  return clean;
}

/** Opens a ledger file from File > Open/New and keeps it as the last ledger; throws when it does not open, returns a warning when it is not kept. */
export async function openFileLedger(ledgerPath: string, create: boolean, dependencies: SharedLedgerDependencies): Promise<string | null> {
  await dependencies.open(ledgerPath, create);
  try {
    const { settings } = await readDeskSettings(dependencies.settingsPath);
    await writeDeskSettings(dependencies.settingsPath, settingsWithFile(settings, ledgerPath));
    return null;
  } catch (error) {
    return `The ledger is open, but it could not be saved as the one to reopen next time: ${(error as Error).message}`;
  }
}

/**
 * The ledger named on the command line (--ledger=…) or in PAYDESK_LEDGER: a
 * file, made absolute against the working folder, or a postgres:// URL, kept
 * as it is (resolved as a path it became a file name inside the folder).
 */
export function explicitLedger(argv: readonly string[], environment: string | undefined, workingFolder = process.cwd()): string | null {
  const fromArgument = argv.find((argument) => argument.startsWith('--ledger='))?.slice('--ledger='.length);
  const chosen = fromArgument || environment;
  if (!chosen) return null;
  return isSharedLedgerUrl(chosen) ? chosen : path.resolve(workingFolder, chosen);
}

export interface StartDependencies extends SharedLedgerDependencies {
  /** --ledger=FILE or PAYDESK_LEDGER: always opened, whatever the settings say. */
  explicitLedgerPath: string | null;
  /** The ledger on this computer, created when missing: <userData>/ledger.paydesk. */
  defaultLedgerPath: string;
}

export interface Started {
  location: string;
  /** The form to show once the window is up, when a shared ledger needs its password or did not reopen. */
  form: SharedLedgerFormRequest | null;
  /** A sentence for the operator when the last ledger could not be reopened or the settings were unreadable. */
  notice: string | null;
}

/**
 * Opens the ledger the app starts with: the one named on the command line,
 * else the last one (a file, or a shared ledger with its kept password), else
 * the ledger on this computer. When a shared ledger needs a password it does
 * not have, or does not answer, the ledger on this computer opens meanwhile
 * and the form asks, saying why. Throws only when no ledger opens at all.
 */
export async function openAtStart(dependencies: StartDependencies): Promise<Started> {
  const { open, defaultLedgerPath } = dependencies;
  if (dependencies.explicitLedgerPath !== null) {
    await open(dependencies.explicitLedgerPath, true);
    return { location: dependencies.explicitLedgerPath, form: null, notice: null };
  }
  const { settings, problem } = await readDeskSettings(dependencies.settingsPath);
  const last = settings.lastLedger;
  if (last === null || (last.kind === 'file' && last.path === defaultLedgerPath)) {
    await open(defaultLedgerPath, true);
    return { location: defaultLedgerPath, form: null, notice: problem };
  }
  if (last.kind === 'file') {
    try {
      await open(last.path, false);
      return { location: last.path, form: null, notice: problem };
    } catch (error) {
      await open(defaultLedgerPath, true);
      const notice = `The last ledger, ${last.path}, did not open: ${(error as Error).message} The ledger on this computer is open instead.`;
      return { location: defaultLedgerPath, form: null, notice };
    }
  }
  return openSharedAtStart(settings.sharedLedger!, settings, dependencies);
}

async function openSharedAtStart(last: KeptSharedLedger, settings: DeskSettings, dependencies: StartDependencies): Promise<Started> {
  const { open, cipher, defaultLedgerPath } = dependencies;
  const meanwhile = 'Until then the ledger on this computer is open.';
  const password = rememberedPassword(last, cipher);
  if (password.ok) {
    const location = sharedLedgerUrl(last.connection, password.password);
    try {
      await open(location, false);
      return { location: displayLocation(location), form: null, notice: null };
    } catch (error) {
      await open(defaultLedgerPath, true);
      const sentence = withoutPassword((error as Error).message, password.password);
      return { location: defaultLedgerPath, form: sharedLedgerForm(settings, cipher, `${sentence} ${meanwhile}`), notice: null };
    }
  }
  await open(defaultLedgerPath, true);
  return { location: defaultLedgerPath, form: sharedLedgerForm(settings, cipher, `${password.reason} ${meanwhile}`), notice: null };
}
