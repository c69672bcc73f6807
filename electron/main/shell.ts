import { app, BrowserWindow, ipcMain, session } from 'electron';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EventName } from '../../shared/contract';
import { createSenderCheck, forwardEvent, registerChannels } from './ipc';
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
 *   PAYDESK_LEDGER     ledger file to open (also --ledger=FILE); default <userData>/ledger.paydesk
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

function initialLedgerPath(): string {
  const fromArgument = process.argv.find((argument) => argument.startsWith('--ledger='))?.slice('--ledger='.length);
  const chosen = fromArgument || process.env.PAYDESK_LEDGER;
  return chosen ? path.resolve(chosen) : path.join(app.getPath('userData'), 'ledger.paydesk');
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
  await ledger.open(ledgerPath, true);
  forwardEvent(BrowserWindow.getAllWindows().map((window) => window.webContents), 'ledger-changed', { reason: 'opened' });
}

async function start() {
  await app.whenReady();
  hardenSession(session.defaultSession, devServerUrl);
  serveRenderer(session.defaultSession, rendererFolder);
  await ledger.open(initialLedgerPath(), true);
  registerChannels(ipcMain, createSenderCheck(appOrigin, devServerUrl), () => ledger.dispatch);
  installMenu(() => mainWindow, { openLedger });
  mainWindow = createWindow();
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
