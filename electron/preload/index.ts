import { contextBridge, ipcRenderer } from 'electron';
import { createPayDeskApi } from './bridge';
import { createDeskApi } from './desk-bridge';

// The renderer gets exactly two functions, invoke and on, checked against the
// contract, and the desktop shell's two (the shared-ledger form, shared/desk.ts).
// ipcRenderer itself never crosses the bridge. This file is built as
// CommonJS (out/preload/index.cjs) because sandboxed preloads cannot load ESM.
contextBridge.exposeInMainWorld('paydesk', createPayDeskApi(ipcRenderer));
contextBridge.exposeInMainWorld('paydeskDesk', createDeskApi(ipcRenderer));
