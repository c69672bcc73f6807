import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseConnectionString } from 'pg-connection-string';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { EngineHolder } from '../../electron/core/engine-holder';
import { Engine } from '../../electron/core/engine';
import {
  connectSharedLedger,
  deskSettingsFileName,
  explicitLedger,
  openAtStart,
  openFileLedger,
  readDeskSettings,
  rememberedPassword,
  sharedLedgerForm,
  sharedLedgerUrl,
  writeDeskSettings,
  type PasswordCipher,
  type StartDependencies,
} from '../../electron/main/desk-settings';
import { aesCipher } from '../support/password-cipher';
import { postgresTestsRun, postgresTestUrl } from '../support/postgres';
import { createDatabase, type ThrowawayDatabase } from '../support/postgres-admin';
import { useTempFolder } from '../support/temp-folder';

/**
 * The desktop app's settings and File > Open Shared Ledger… without Electron
 * (electron/main/desk-settings.ts): real settings files in a temp folder, real
 * ledgers in an EngineHolder as the shell holds them, and a real PostgreSQL.
 * Electron's safeStorage cannot run here: the cipher is test/support/password-cipher.ts.
 */
const newFolder = useTempFolder('paydesk-desk-');

const holders: EngineHolder[] = [];
afterEach(async () => {
  for (const holder of holders.splice(0)) await holder.close();
});

function newDesk(cipher: PasswordCipher = aesCipher()) {
  const folder = newFolder();
  const holder = new EngineHolder(() => undefined, { automaticBackups: false });
  holders.push(holder);
  const dependencies: StartDependencies = {
    open: (location, create) => holder.open(location, create),
    settingsPath: path.join(folder, deskSettingsFileName),
    cipher,
    explicitLedgerPath: null,
    defaultLedgerPath: path.join(folder, 'ledger.paydesk'),
  };
  return { folder, holder, dependencies };
}

const settingsText = (settingsPath: string) => (existsSync(settingsPath) ? readFileSync(settingsPath, 'utf8') : '(no file)');

/**
 * The settings file's text with the user name blanked: the test server's role
 * has its name for a password, and the user name is kept by design.
 */
function settingsTextBesidesUser(settingsPath: string): string {
  const settings = JSON.parse(settingsText(settingsPath));
  settings.sharedLedger.connection.user = '(user)';
  return JSON.stringify(settings);
}

describe('the ledger named at start', () => {
  it('keeps a postgres:// URL as it is and makes a file name absolute', () => {
    const url = 'postgres://desk:s3cret@db.example:5432/books';
    expect(explicitLedger(['electron', `--ledger=${url}`], undefined, '/home/otto')).toBe(url);
    expect(explicitLedger(['electron'], url, '/home/otto')).toBe(url);
    expect(explicitLedger(['electron', '--ledger=books.paydesk'], 'other.paydesk', '/home/otto')).toBe('/home/otto/books.paydesk');
    expect(explicitLedger(['electron'], undefined, '/home/otto')).toBeNull();
  });
});

describe('the URL built from the form', () => {
  it('escapes user, password and database so the pg client reads back exactly what was typed', () => {
    const connection = { host: 'db.example', port: 6543, database: 'books é 2026', user: 'ops@desk' };
    const password = 'p@ss:w/rd %?#&é+ 25';
    const parsed = parseConnectionString(sharedLedgerUrl(connection, password));
    expect(parsed).toMatchObject({ host: 'db.example', port: '6543', database: 'books é 2026', user: 'ops@desk', password });
    const ipv6 = parseConnectionString(sharedLedgerUrl({ ...connection, host: '::1' }, 'x'));
    expect(ipv6).toMatchObject({ host: '::1', port: '6543' });
  });

  it('refuses a form it cannot turn into a URL faithfully, naming the field, and changes nothing', async () => {
    const { holder, dependencies } = newDesk();
    await holder.open(dependencies.defaultLedgerPath, true);
    const form = { host: 'db.example', port: '5432', database: 'books', user: 'ops', password: 'secret', rememberPassword: true };
    const refusals = [
      [{ ...form, database: 'books/2026' }, 'database'],
      [{ ...form, port: '70000' }, 'port'],
      [{ ...form, host: 'db.example/evil' }, 'host'],
      [{ ...form, host: '[::1' }, 'host'],
      [{ ...form, user: '' }, 'user'],
    ] as const;
    for (const [request, field] of refusals) {
      const result = await connectSharedLedger(request, dependencies);
      expect(result, field).toMatchObject({ ok: false, code: 'FF01', field });
    }
    expect(holder.ledgerPath).toBe(dependencies.defaultLedgerPath);
    expect(existsSync(dependencies.settingsPath)).toBe(false);
  });
});

describe('opening a shared ledger that does not answer', () => {
  it('says why without the password, keeps the previous ledger open and the settings as they were', async () => {
    const { holder, dependencies } = newDesk();
    await openFileLedger(dependencies.defaultLedgerPath, true, dependencies);
    const before = settingsText(dependencies.settingsPath);
    const password = 'Tr0ub4dor&3 secret';
    const request = { host: '127.0.0.1', port: '1', database: 'books', user: 'ops', password, rememberPassword: true };
    const result = await connectSharedLedger(request, dependencies);
    expect(result).toMatchObject({ ok: false, code: 'SHARED_UNREACHABLE' });
    if (result.ok) return;
    expect(result.message).toContain('postgres://ops:***@127.0.0.1:1/books cannot be reached');
    expect(result.message).toContain('The previous ledger is still open.');
    expect(result.message).not.toContain('Tr0ub4dor');
    expect(holder.ledgerPath).toBe(dependencies.defaultLedgerPath);
    expect(settingsText(dependencies.settingsPath)).toBe(before);
  });
});

describe('starting on a shared ledger that does not answer', () => {
  it('opens the ledger on this computer and shows the form with the reason, without the kept password', async () => {
    const cipher = aesCipher();
    const { holder, dependencies } = newDesk(cipher);
    const connection = { host: '127.0.0.1', port: 1, database: 'books', user: 'ops' };
    const encryptedPasswordBase64 = cipher.encryptString('kept-secret-42').toString('base64');
    await writeDeskSettings(dependencies.settingsPath, { version: 1, lastLedger: { kind: 'shared' }, sharedLedger: { connection, encryptedPasswordBase64 } });
    const started = await openAtStart(dependencies);
    expect(started).toMatchObject({ location: dependencies.defaultLedgerPath, notice: null });
    expect(started.form).toMatchObject({ host: '127.0.0.1', port: 1, database: 'books', user: 'ops', rememberPassword: true });
    expect(started.form?.reason).toMatch(/cannot be reached: .* Until then the ledger on this computer is open\.$/);
    expect(JSON.stringify(started)).not.toContain('kept-secret-42');
    expect(holder.ledgerPath).toBe(dependencies.defaultLedgerPath);
  });
});

describe('the settings file', () => {
  it('is replaced whole, leaves no temporary file behind, and a damaged one is ignored with a sentence', async () => {
    const { folder, dependencies } = newDesk();
    await writeDeskSettings(dependencies.settingsPath, { version: 1, lastLedger: { kind: 'file', path: '/data/a.paydesk' }, sharedLedger: null });
    await writeDeskSettings(dependencies.settingsPath, { version: 1, lastLedger: { kind: 'file', path: '/data/b.paydesk' }, sharedLedger: null });
    expect(readdirSync(folder)).toEqual([deskSettingsFileName]);
    expect(await readDeskSettings(dependencies.settingsPath)).toEqual({
      settings: { version: 1, lastLedger: { kind: 'file', path: '/data/b.paydesk' }, sharedLedger: null }, problem: null,
    });
    writeFileSync(dependencies.settingsPath, '{"version": 1, "lastLedger": {"kind": "shared"}, "sharedLedger": {"connection": {"host": "x"');
    const damaged = await readDeskSettings(dependencies.settingsPath);
    expect(damaged.settings.lastLedger).toBeNull();
    expect(damaged.problem).toMatch(/^The settings in .* were ignored: /);
  });

  it('reopens the last ledger file at start, and the ledger on this computer with a sentence when that file is gone', async () => {
    const { folder, holder, dependencies } = newDesk();
    const other = path.join(folder, 'other.paydesk');
    await openFileLedger(other, true, dependencies);
    await holder.close();
    expect(await openAtStart(dependencies)).toEqual({ location: other, form: null, notice: null });
    expect(holder.ledgerPath).toBe(other);
    await holder.close();
    const gone = { kind: 'file', path: path.join(folder, 'gone.paydesk') } as const;
    await writeDeskSettings(dependencies.settingsPath, { version: 1, lastLedger: gone, sharedLedger: null });
    const started = await openAtStart(dependencies);
    expect(started).toMatchObject({ location: dependencies.defaultLedgerPath, form: null, notice: expect.stringContaining('gone.paydesk, did not open') });
    expect(holder.ledgerPath).toBe(dependencies.defaultLedgerPath);
  });
});

describe.skipIf(!postgresTestsRun())('a shared ledger on the local PostgreSQL', () => {
  const databases: ThrowawayDatabase[] = [];
  const server = new URL(postgresTestUrl ?? 'postgres://unset@127.0.0.1/none');
  const password = decodeURIComponent(server.password);

  afterAll(async () => {
    for (const database of databases) await database.drop();
  });

  /** A throwaway database whose name needs escaping in a URL (a space, accents), holding a new ledger. */
  async function newSharedLedger() {
    const created = await createDatabase(`paydesk desk é ${randomBytes(4).toString('hex')}`);
    databases.push(created);
    const database = created.name;
    await (await Engine.open(created.url, { create: true })).close();
    return { host: server.hostname, port: server.port || '5432', database, user: decodeURIComponent(server.username), password };
  }

  it('opens it from the form, keeps the connection and only the encrypted password, and reopens it at the next start', async () => {
    const cipher = aesCipher();
    const { holder, dependencies } = newDesk(cipher);
    await openFileLedger(dependencies.defaultLedgerPath, true, dependencies);
    const form = await newSharedLedger();
    const result = await connectSharedLedger({ ...form, rememberPassword: true }, dependencies);
    expect(result).toEqual({ ok: true, value: { location: expect.stringContaining(':***@'), notice: null } });
    expect(holder.ledgerPath).toMatch(/^postgres:\/\//);

    const text = settingsTextBesidesUser(dependencies.settingsPath);
    for (const form of [password, encodeURIComponent(password), Buffer.from(password).toString('base64')]) expect(text).not.toContain(form);
    const kept = JSON.parse(settingsText(dependencies.settingsPath));
    const connection = { host: form.host, port: Number(form.port), database: form.database, user: form.user };
    expect(kept).toMatchObject({ lastLedger: { kind: 'shared' }, sharedLedger: { connection } });
    expect(kept.sharedLedger.encryptedPasswordBase64).toEqual(expect.any(String));

    await holder.close();
    const started = await openAtStart(dependencies);
    expect(started).toMatchObject({ form: null, notice: null, location: expect.stringContaining(':***@') });
    expect(holder.ledgerPath).toMatch(/^postgres:\/\//);
  });

  it('keeps no password when the operator does not ask or the computer cannot encrypt, and asks for it at the next start', async () => {
    for (const [cipher, rememberPassword] of [[aesCipher(), false], [aesCipher(randomBytes(32), false), true]] as const) {
      const { holder, dependencies } = newDesk(cipher);
      const form = await newSharedLedger();
      const result = await connectSharedLedger({ ...form, rememberPassword }, dependencies);
      expect(result).toMatchObject({ ok: true });
      if (result.ok) expect(result.value.notice === null).toBe(cipher.isEncryptionAvailable());
      expect(settingsTextBesidesUser(dependencies.settingsPath)).not.toContain(password);
      expect(JSON.parse(settingsText(dependencies.settingsPath)).sharedLedger.encryptedPasswordBase64).toBeNull();

      await holder.close();
      const started = await openAtStart(dependencies);
      expect(started.form).toEqual({
        host: form.host, port: Number(form.port), database: form.database, user: form.user,
        canRememberPassword: cipher.isEncryptionAvailable(), rememberPassword: false,
        reason: `Enter the password to reopen the shared ledger in database "${form.database}" on ${form.host}:${form.port}, user ${form.user}. `
          + 'Until then the ledger on this computer is open.',
      });
      expect(holder.ledgerPath).toBe(dependencies.defaultLedgerPath);
    }
  });

  it('asks again when the kept password cannot be decrypted, as under another user', async () => {
    const { holder, dependencies } = newDesk(aesCipher());
    const form = await newSharedLedger();
    expect(await connectSharedLedger({ ...form, rememberPassword: true }, dependencies)).toMatchObject({ ok: true });
    await holder.close();
    const started = await openAtStart({ ...dependencies, cipher: aesCipher() });
    expect(started.form).toMatchObject({ database: form.database, rememberPassword: true, reason: expect.stringContaining('could not be decrypted') });
    expect(holder.ledgerPath).toBe(dependencies.defaultLedgerPath);
  });

  it('keeps the shared connection and its password when a file is opened later, to prefill the form, and starts on the file', async () => {
    const cipher = aesCipher();
    const { folder, holder, dependencies } = newDesk(cipher);
    const form = await newSharedLedger();
    expect(await connectSharedLedger({ ...form, rememberPassword: true }, dependencies)).toMatchObject({ ok: true });
    const file = path.join(folder, 'books.paydesk');
    expect(await openFileLedger(file, true, dependencies)).toBeNull();
    const { settings } = await readDeskSettings(dependencies.settingsPath);
    expect(settings.lastLedger).toEqual({ kind: 'file', path: file });
    expect(sharedLedgerForm(settings, cipher, null)).toMatchObject({ database: form.database, user: form.user, rememberPassword: true });
    expect(settings.sharedLedger === null ? null : rememberedPassword(settings.sharedLedger, cipher)).toEqual({ ok: true, password });
    await holder.close();
    expect(await openAtStart(dependencies)).toEqual({ location: file, form: null, notice: null });
  });

  it('refuses a database without a ledger, with a sentence, and does not create one', async () => {
    const { holder, dependencies } = newDesk();
    await holder.open(dependencies.defaultLedgerPath, true);
    const empty = await createDatabase(`paydesk desk empty ${randomBytes(4).toString('hex')}`);
    databases.push(empty);
    const database = empty.name;
    const request = { host: server.hostname, port: server.port || '5432', database, user: decodeURIComponent(server.username), password };
    const result = await connectSharedLedger({ ...request, rememberPassword: false }, dependencies);
    expect(result).toMatchObject({ ok: false, code: 'NO_LEDGER', message: expect.stringContaining('The previous ledger is still open.') });
    expect(holder.ledgerPath).toBe(dependencies.defaultLedgerPath);
    expect(existsSync(dependencies.settingsPath)).toBe(false);
  });
});
