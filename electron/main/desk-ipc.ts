import { deskIpc, type SharedLedgerConnected, type SharedLedgerFormRequest } from '../../shared/desk';
import { failure, type Result } from '../../shared/result';
import type { IpcMainSlice, WebContentsSlice } from './ipc';

/**
 * The desktop shell's own IPC (shared/desk.ts): the window sends the
 * shared-ledger form here, and the shell asks the window to show it. Like the
 * engine's channels, a message from any frame but PayDesk's renderer is
 * refused before anything runs. Written against slices, tested without Electron.
 */
export function registerDeskChannels(
  ipcMain: IpcMainSlice,
  isTrustedSender: (url: string) => boolean,
  connectSharedLedger: (request: unknown) => Promise<Result<SharedLedgerConnected>>,
): () => void {
  let connecting = false;
  ipcMain.handle(deskIpc.connectSharedLedger, async (event, request) => {
    const url = event.senderFrame?.url ?? '';
    if (!isTrustedSender(url)) {
      console.warn(`paydesk: refused the shared-ledger form from an untrusted frame: ${url.slice(0, 200)}`);
      return failure('FF01', 'This request did not come from the PayDesk window and was refused.');
    }
    // One ledger opens at a time: a second press while connecting must not swap ledgers twice.
    if (connecting) return failure('LEDGER_OPEN_FAILED', 'A ledger is being opened already; wait for it to finish.');
    connecting = true;
    try {
      return await connectSharedLedger(request);
    } finally {
      connecting = false;
    }
  });
  return () => ipcMain.removeHandler(deskIpc.connectSharedLedger);
}

/** Asks a window to show the shared-ledger form, prefilled. */
export function requestSharedLedgerForm(target: WebContentsSlice | null, form: SharedLedgerFormRequest): void {
  if (target !== null && !target.isDestroyed()) target.send(deskIpc.sharedLedgerFormRequested, form);
}
