import { app, dialog, Menu, type BrowserWindow, type MenuItemConstructorOptions } from 'electron';
import { existsSync } from 'node:fs';
import path from 'node:path';

/** File > Open… / New… pick a ledger file; the caller opens it and tells the window. Open Shared… asks the window for its form. */
export interface LedgerMenuActions {
  openLedger(ledgerPath: string): Promise<void>;
  showSharedLedgerForm(): void;
}

const ledgerFilters = [
  { name: 'PayDesk ledger', extensions: ['paydesk'] },
  { name: 'All files', extensions: ['*'] },
];

export function installMenu(window: () => BrowserWindow | null, actions: LedgerMenuActions) {
  const fileMenu: MenuItemConstructorOptions = {
    label: 'File',
    submenu: [
      { label: 'New Ledger…', accelerator: 'CmdOrCtrl+N', click: () => void chooseNewLedger(window(), actions) },
      { label: 'Open Ledger…', accelerator: 'CmdOrCtrl+O', click: () => void chooseExistingLedger(window(), actions) },
      { label: 'Open Shared Ledger…', accelerator: 'CmdOrCtrl+Shift+O', click: () => actions.showSharedLedgerForm() },
      { type: 'separator' },
      { role: 'quit' },
    ],
  };
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' } as MenuItemConstructorOptions] : []),
    fileMenu,
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        ...(app.isPackaged ? [] : [{ type: 'separator' } as const, { role: 'toggleDevTools' } as const]),
      ],
    },
    { role: 'windowMenu' },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

async function chooseExistingLedger(window: BrowserWindow | null, actions: LedgerMenuActions) {
  const options = { title: 'Open a PayDesk ledger', properties: ['openFile' as const], filters: ledgerFilters };
  const choice = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
  if (choice.canceled || choice.filePaths.length === 0) return;
  await openOrExplain(choice.filePaths[0], actions);
}

async function chooseNewLedger(window: BrowserWindow | null, actions: LedgerMenuActions) {
  const options = {
    title: 'Create a new PayDesk ledger',
    defaultPath: path.join(app.getPath('documents'), 'ledger.paydesk'),
    filters: ledgerFilters,
  };
  const choice = window ? await dialog.showSaveDialog(window, options) : await dialog.showSaveDialog(options);
  if (choice.canceled || !choice.filePath) return;
  const ledgerPath = choice.filePath.endsWith('.paydesk') ? choice.filePath : `${choice.filePath}.paydesk`;
  if (existsSync(ledgerPath)) {
    // A ledger is never overwritten: creating over an existing file would lose its payments.
    dialog.showErrorBox('The ledger already exists', `${ledgerPath} already exists. Use File > Open Ledger… to open it.`);
    return;
  }
  await openOrExplain(ledgerPath, actions);
}

async function openOrExplain(ledgerPath: string, actions: LedgerMenuActions) {
  try {
    await actions.openLedger(ledgerPath);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    dialog.showErrorBox('The ledger could not be opened', `${ledgerPath}\n\n${reason}\n\nThe previous ledger is still open.`);
  }
}
