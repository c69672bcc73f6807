import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Engine } from '../../electron/core/engine';
import { createSenderCheck, forwardEvent, registerChannels, type IpcInvokeEventSlice } from '../../electron/main/ipc';
import { appOrigin } from '../../electron/main/app-origin';
import { createPayDeskApi } from '../../electron/preload/bridge';
import { createDeskApi } from '../../electron/preload/desk-bridge';
import { registerDeskChannels, requestSharedLedgerForm } from '../../electron/main/desk-ipc';
import { connectSharedLedger, deskSettingsFileName, emptyDeskSettings, sharedLedgerForm } from '../../electron/main/desk-settings';
import { EngineHolder } from '../../electron/core/engine-holder';
import type { SharedLedgerFormRequest } from '../../shared/desk';
import { aesCipher } from '../support/password-cipher';
import { channelNames, ipcEventChannel, ipcPrefix, type PayDeskApi } from '../../shared/contract';

/**
 * The Electron IPC transport, tested in memory: the real preload bridge and the
 * real main-process handlers joined by a fake ipcMain/ipcRenderer pair, over
 * the real engine and a real ledger file. Only Electron itself is left out.
 */

type Handler = (event: IpcInvokeEventSlice, ...args: unknown[]) => Promise<unknown>;

function createFakeIpc(frameUrl: () => string) {
  const handlers = new Map<string, Handler>();
  const rendererListeners = new Map<string, Array<(event: unknown, ...args: unknown[]) => void>>();
  const invoked: string[] = [];
  const ipcMain = {
    handle: (channel: string, handler: Handler) => {
      if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
      handlers.set(channel, handler);
    },
    removeHandler: (channel: string) => void handlers.delete(channel),
  };
  const ipcRenderer = {
    invoke: async (channel: string, ...args: unknown[]) => {
      invoked.push(channel);
      const handler = handlers.get(channel);
      if (!handler) throw new Error(`No handler registered for '${channel}'`);
      // Electron copies arguments with the structured clone algorithm.
      return handler({ senderFrame: { url: frameUrl() }, sender: { id: 1 } }, ...structuredClone(args));
    },
    on: (channel: string, listener: (event: unknown, ...args: unknown[]) => void) => {
      rendererListeners.set(channel, [...(rendererListeners.get(channel) ?? []), listener]);
    },
  };
  const webContents = {
    isDestroyed: () => false,
    send: (channel: string, ...args: unknown[]) => {
      for (const listener of rendererListeners.get(channel) ?? []) listener({}, ...structuredClone(args));
    },
  };
  return { ipcMain, ipcRenderer, webContents, handlers, invoked };
}

let folder: string;
let engine: Engine;
let frameUrl: string;
let ipc: ReturnType<typeof createFakeIpc>;
let paydesk: PayDeskApi;
let unregister: () => void;
let unsubscribeEngine: () => void;

beforeEach(async () => {
  folder = await mkdtemp(path.join(os.tmpdir(), 'paydesk-ipc-'));
  engine = await Engine.open(path.join(folder, 'ledger.paydesk'), { create: true });
  frameUrl = 'app://paydesk/index.html';
  ipc = createFakeIpc(() => frameUrl);
  unregister = registerChannels(ipc.ipcMain, createSenderCheck(appOrigin, undefined), () => engine.dispatch);
  unsubscribeEngine = engine.onAny((name, payload) => forwardEvent([ipc.webContents], name, payload));
  paydesk = createPayDeskApi(ipc.ipcRenderer);
  // The window signs in as the first administrator; its session is keyed by the window, not by anything it holds.
  await paydesk.invoke('session-setup', { username: 'admin', displayName: 'Admin', password: 'correct horse battery' });
  ipc.invoked.length = 0;
});

afterEach(async () => {
  unsubscribeEngine();
  unregister();
  await engine.close();
  await rm(folder, { recursive: true, force: true });
});

describe('Electron IPC transport (in memory)', () => {
  it('registers exactly one handler per contract channel, under the PayDesk prefix', () => {
    expect([...ipc.handlers.keys()].sort()).toEqual(channelNames.map((name) => ipcPrefix + name).sort());
  });

  it('exposes only invoke and on, frozen', () => {
    expect(Object.keys(paydesk).sort()).toEqual(['invoke', 'on']);
    expect(Object.isFrozen(paydesk)).toBe(true);
  });

  it('round-trips a channel from the bridge through main to the engine', async () => {
    const created = await paydesk.invoke('account-create', { code: 'ALICE', name: 'Alice', currency: 'EUR', openingBalance: '100.00' });
    expect(created).toMatchObject({ ok: true, value: { code: 'ALICE', balanceMinor: 10_000 } });
  });

  it('refuses an unknown channel in the preload, before any IPC message is sent', async () => {
    const result = await paydesk.invoke('ledger-drop' as never, {} as never);
    expect(result).toMatchObject({ ok: false, code: 'UNKNOWN_CHANNEL' });
    expect(ipc.invoked).toEqual([]);
  });

  it('refuses requests from frames that are not the PayDesk renderer, and changes nothing', async () => {
    for (const url of ['https://evil.example/', 'file:///tmp/index.html', 'app://other/index.html', 'not a url', '']) {
      frameUrl = url;
      const result = await paydesk.invoke('account-create', { code: 'EVE', name: 'Eve', currency: 'EUR' });
      expect(result, url).toMatchObject({ ok: false, code: 'FF01' });
    }
    frameUrl = 'app://paydesk/index.html';
    const info = await paydesk.invoke('ledger-info', {});
    expect(info).toMatchObject({ ok: true, value: { accounts: 0 } });
  });

  it('accepts the dev server origin only in development', () => {
    const development = createSenderCheck(appOrigin, 'http://localhost:5173');
    expect(development('http://localhost:5173/')).toBe(true);
    expect(development('http://localhost:5174/')).toBe(false);
    expect(createSenderCheck(appOrigin, undefined)('http://localhost:5173/')).toBe(false);
  });

  it('validates the request in core: a malformed one gets FF01', async () => {
    const result = await paydesk.invoke('payment-submit', { paymentId: 'P 1' } as never);
    expect(result).toMatchObject({ ok: false, code: 'FF01' });
  });

  it('forwards engine events to listeners, and stops after unsubscribe', async () => {
    await paydesk.invoke('account-create', { code: 'ALICE', name: 'Alice', currency: 'EUR', openingBalance: '100.00' });
    await paydesk.invoke('account-create', { code: 'BOB', name: 'Bob', currency: 'EUR' });
    const received: unknown[] = [];
    const unsubscribe = paydesk.on('payment-recorded', (payload) => received.push(payload));
    const paid = await paydesk.invoke('payment-submit', { paymentId: 'P-1', debtor: 'ALICE', creditor: 'BOB', amount: '25.00', currency: 'EUR' });
    expect(paid).toMatchObject({ ok: true, value: { status: 'accepted' } });
    expect(received).toEqual([expect.objectContaining({ paymentId: 'P-1', amountMinor: 2500 })]);
    unsubscribe();
    await paydesk.invoke('payment-submit', { paymentId: 'P-2', debtor: 'ALICE', creditor: 'BOB', amount: '1.00', currency: 'EUR' });
    expect(received).toHaveLength(1);
  });

  it('ignores event names the contract does not know, and refuses to listen to them', () => {
    expect(() => paydesk.on('shell-exec' as never, () => {})).toThrow(TypeError);
    expect(() => ipc.webContents.send(ipcEventChannel, 'shell-exec', {})).not.toThrow();
  });
});

describe("the desktop shell's shared-ledger form over IPC (in memory)", () => {
  it('brings the form to the window and its answer to the shell, and refuses a frame that is not PayDesk\'s', async () => {
    const holder = new EngineHolder(() => undefined, { automaticBackups: false });
    const ledgerPath = path.join(folder, 'desk.paydesk');
    await holder.open(ledgerPath, true);
    const dependencies = { open: holder.open.bind(holder), settingsPath: path.join(folder, deskSettingsFileName), cipher: aesCipher() };
    const unregisterDesk = registerDeskChannels(ipc.ipcMain, createSenderCheck(appOrigin, undefined), (request) => connectSharedLedger(request, dependencies));
    try {
      const desk = createDeskApi(ipc.ipcRenderer);
      expect(Object.isFrozen(desk)).toBe(true);
      const forms: SharedLedgerFormRequest[] = [];
      const unsubscribe = desk.onDidRequestSharedLedgerForm((form) => forms.push(form));
      requestSharedLedgerForm(ipc.webContents, sharedLedgerForm(emptyDeskSettings, dependencies.cipher, null));
      expect(forms).toEqual([expect.objectContaining({ host: '', port: 5432, canRememberPassword: true, reason: null })]);
      unsubscribe();
      requestSharedLedgerForm(ipc.webContents, sharedLedgerForm(emptyDeskSettings, dependencies.cipher, null));
      expect(forms).toHaveLength(1);

      const request = { host: '127.0.0.1', port: '1', database: 'books', user: 'ops', password: 'hunter2 secret', rememberPassword: false };
      const answer = await desk.connectSharedLedger(request);
      expect(answer).toMatchObject({ ok: false, code: 'SHARED_UNREACHABLE' });
      expect(JSON.stringify(answer)).not.toContain('hunter2');
      frameUrl = 'https://evil.example/';
      expect(await desk.connectSharedLedger(request)).toMatchObject({ ok: false, code: 'FF01' });
      expect(holder.ledgerPath).toBe(ledgerPath);
    } finally {
      unregisterDesk();
      await holder.close();
    }
  });
});
