import { deskIpc, type PayDeskDeskApi, type SharedLedgerFormRequest } from '../../shared/desk';
import type { IpcRendererSlice } from './bridge';

/**
 * Builds `window.paydeskDesk`: what only the desktop shell offers the window
 * (shared/desk.ts), beside the engine's contract in `window.paydesk`. Two
 * functions, fixed channel names; ipcRenderer itself never reaches the page.
 */
export function createDeskApi(ipcRenderer: IpcRendererSlice): PayDeskDeskApi {
  const listeners = new Set<(form: SharedLedgerFormRequest) => void>();
  ipcRenderer.on(deskIpc.sharedLedgerFormRequested, (_event, form) => {
    for (const listener of listeners) listener(form as SharedLedgerFormRequest);
  });
  const api: PayDeskDeskApi = {
    connectSharedLedger: (request) => ipcRenderer.invoke(deskIpc.connectSharedLedger, request) as ReturnType<PayDeskDeskApi['connectSharedLedger']>,
    onDidRequestSharedLedgerForm(listener) {
      if (typeof listener !== 'function') throw new TypeError('The listener must be a function.');
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
  return Object.freeze(api);
}
