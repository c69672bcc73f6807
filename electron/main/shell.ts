import { app, BrowserWindow, dialog, ipcMain, safeStorage, session } from 'electron';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EventName } from '../../shared/contract';
import { createSenderCheck, forwardEvent, registerChannels } from './ipc';
import { registerDeskChannels, requestSharedLedgerForm } from './desk-ipc';
import {
  connectSharedLedger, deskSettingsFileName, explicitLedger, openAtStart, openFileLedger, readDeskSettings, sharedLedgerForm, type PasswordCipher,
  type SharedLedgerDependencies,
} from './desk-settings';
import { LedgerHolder } from './ledger';
import { installMenu } from './menu';
import { appIndexUrl, appOrigin } from './app-origin';
import { hardenSession, lockDownWebContents, registerAppScheme, serveRenderer } from './security';

/**
 * The Electron shell, loaded by ./index.ts once the runtime and sandbox checks
 * pass: one window, the ledger, and the typed IPC bridge between them.
 * Everything the operator does goes through the contract to the engine.
 *
 * Environment for tests and operators:
 *   PAYDESK_USER_DATA  folder to use instead of the platform's user-data folder
 *   PAYDESK_LEDGER     ledger file to open (also --ledger=FILE); default the last one opened (<userData>/paydesk-settings.json),
 *                      else <userData>/ledger.paydesk
 */

const mainFolder = path.dirname(fileURLToPath(import.meta.url));
const rendererFolder = path.join(mainFolder, '../renderer');
const preloadPath = path.join(mainFolder, '../preload/index.cjs');
const devServerUrl = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL;

if (process.env.PAYDESK_USER_DATA) app.setPath('userData', path.resolve(process.env.PAYDESK_USER_DATA));
registerAppScheme();
lockDownWebContents();

let mainWindow: BrowserWindow | null = null;
const ledger = new LedgerHolder((name: EventName, payload: unknown) => {
  forwardEvent(BrowserWindow.getAllWindows().map((window) => window.webContents), name, payload);
});

/**
 * safeStorage, except on Linux without a keyring: there Electron "encrypts"
 * with a key written in its own source (the basic_text back end), which is no
 * protection, so PayDesk then keeps no password and asks for it instead.
 */
const passwordCipher: PasswordCipher = {
  isEncryptionAvailable: () =>
    safeStorage.isEncryptionAvailable() && (process.platform !== 'linux' || safeStorage.getSelectedStorageBackend() !== 'basic_text'),
  encryptString: (plainText) => safeStorage.encryptString(plainText),
  decryptString: (encrypted) => safeStorage.decryptString(encrypted),
};

function deskDependencies(): SharedLedgerDependencies {
  return {
    open: (location, create) => ledger.open(location, create),
    settingsPath: path.join(app.getPath('userData'), deskSettingsFileName),
    cipher: passwordCipher,
  };
}

function tellWindowsLedgerOpened() {
  forwardEvent(BrowserWindow.getAllWindows().map((window) => window.webContents), 'ledger-changed', { reason: 'opened' });
}

async function showSharedLedgerForm() {
  const { settings } = await readDeskSettings(deskDependencies().settingsPath);
  mainWindow?.show();
  requestSharedLedgerForm(mainWindow?.webContents ?? null, sharedLedgerForm(settings, passwordCipher, null));
}

async function connectFromForm(request: unknown) {
  const result = await connectSharedLedger(request, deskDependencies());
  if (result.ok) tellWindowsLedgerOpened();
  return result;
}

function warn(message: string) {
  const options = { type: 'warning' as const, title: 'PayDesk', message };
  void (mainWindow ? dialog.showMessageBox(mainWindow, options) : dialog.showMessageBox(options));
}

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 840,
    minWidth: 900,
    minHeight: 600,
    title: 'PayDesk',
    show: false,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      devTools: !app.isPackaged,
    },
  });
  window.once('ready-to-show', () => window.show());
  window.on('closed', () => {
    if (mainWindow === window) mainWindow = null;
  });
  void window.loadURL(devServerUrl ?? appIndexUrl);
  return window;
}

async function openLedger(ledgerPath: string) {
  const warning = await openFileLedger(ledgerPath, true, deskDependencies());
  tellWindowsLedgerOpened();
  if (warning !== null) warn(warning);
}

async function start() {
  await app.whenReady();
  hardenSession(session.defaultSession, devServerUrl);
  serveRenderer(session.defaultSession, rendererFolder);
  const defaultLedgerPath = path.join(app.getPath('userData'), 'ledger.paydesk');
  const started = await openAtStart({ ...deskDependencies(), explicitLedgerPath: explicitLedger(process.argv, process.env.PAYDESK_LEDGER), defaultLedgerPath });
  const isTrustedSender = createSenderCheck(appOrigin, devServerUrl);
  registerChannels(ipcMain, isTrustedSender, () => ledger.dispatch);
  registerDeskChannels(ipcMain, isTrustedSender, connectFromForm);
  installMenu(() => mainWindow, { openLedger, showSharedLedgerForm: () => void showSharedLedgerForm() });
  mainWindow = createWindow();
  // The window listens once its page has loaded: only then can it show the form or the notice.
  mainWindow.webContents.once('did-finish-load', () => {
    if (started.form !== null) requestSharedLedgerForm(mainWindow?.webContents ?? null, started.form);
    if (started.notice !== null) warn(started.notice);
  });
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) mainWindow = createWindow();
  });
}

// The ledger is flushed and closed before the process exits, whatever asked it to quit.
let closed = false;
app.on('before-quit', (event) => {
  if (closed) return;
  event.preventDefault();
  closed = true;
  ledger.close().then(
    () => app.exit(0),
    (error: unknown) => {
      console.error('paydesk: closing the ledger failed', error);
      app.exit(1);
    },
  );
});
app.on('window-all-closed', () => app.quit());
process.on('SIGINT', () => app.quit());
process.on('SIGTERM', () => app.quit());

if (!app.requestSingleInstanceLock()) {
  // Two processes writing one ledger would corrupt it: the second instance hands over and leaves.
  app.exit(0);
} else {
  app.on('second-instance', () => {
    if (mainWindow?.isMinimized()) mainWindow.restore();
    mainWindow?.focus();
  });
  start().catch((error: unknown) => {
    console.error('paydesk: failed to start', error);
    app.exit(1);
  });
}
