import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sessionIdleLockMs } from '../../shared/access';
import { Sessions, sessionsFilePath } from '../../electron/core/security/sessions';

let folder: string;
beforeEach(async () => {
  folder = await mkdtemp(path.join(os.tmpdir(), 'paydesk-sessions-'));
});
afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe('sessions kept across a restart', () => {
  it('restores the host sessions from the file, never a window session, and never writes a session id', async () => {
    const file = path.join(folder, 'ledger.paydesk.sessions');
    const before = new Sessions();
    before.persistTo(file);
    const hostKey = Sessions.newSessionId();
    before.open(hostKey, 'ada', true);
    before.open('window-1', 'bob', false);
    await before.flush();
    expect(await readFile(file, 'utf8')).not.toContain(hostKey);

    const after = new Sessions();
    after.persistTo(file);
    expect(after.lookup(hostKey, true)).toEqual({ state: 'active', username: 'ada' });
    expect(after.lookup('window-1', true)).toEqual({ state: 'none' });
  });

  it('forgets a signed-out session and one idle past the lock', async () => {
    const file = path.join(folder, 'ledger.paydesk.sessions');
    const before = new Sessions();
    before.persistTo(file);
    const signedOut = Sessions.newSessionId();
    const idle = Sessions.newSessionId();
    before.open(signedOut, 'ada', true);
    before.open(idle, 'bob', true);
    before.close(signedOut);
    await before.flush();

    const after = new Sessions();
    after.clock = () => Date.now() + sessionIdleLockMs + 1;
    after.persistTo(file);
    expect(after.lookup(signedOut, true)).toEqual({ state: 'none' });
    expect(after.lookup(idle, true)).toEqual({ state: 'none' });
  });

  it("keeps a shared ledger's sessions in the user's PayDesk folder, named without the password, and makes the folder", async () => {
    const url = 'postgres://desk:s3cret@db.example:5432/books';
    const file = sessionsFilePath(url, folder);
    expect(path.dirname(file)).toBe(path.join(folder, '.paydesk', 'shared-ledger-sessions'));
    expect(file).not.toContain('s3cret');
    expect(sessionsFilePath('postgres://desk:other@db.example:5432/books', folder)).toBe(file);
    expect(sessionsFilePath('/data/books.paydesk', folder)).toBe('/data/books.paydesk.sessions');
    const before = new Sessions();
    before.persistTo(file);
    const hostKey = Sessions.newSessionId();
    before.open(hostKey, 'ada', true);
    await before.flush();
    const after = new Sessions();
    after.persistTo(file);
    expect(after.lookup(hostKey, true)).toEqual({ state: 'active', username: 'ada' });
  });

  it('starts with nobody signed in when the file is missing or unreadable', () => {
    const sessions = new Sessions();
    sessions.persistTo(path.join(folder, 'missing.sessions'));
    expect(sessions.lookup('anything', true)).toEqual({ state: 'none' });
  });
});
