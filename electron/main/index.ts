import { app, dialog } from 'electron';
import zlib from 'node:zlib';
import { chooseSandbox, runtimeProblem } from './startup-checks';

/**
 * The entry of the Electron main process: it checks the runtime and decides
 * the sandbox before anything else runs, then loads the shell (./shell). The
 * shell is imported only after the checks, so an Electron that is too old
 * gets a sentence instead of a stack trace from deep inside the ledger.
 */

function refuse(message: string): void {
  console.error(message);
  // A desktop user may never see stderr. Before 'ready' the box is a window on
  // Windows and macOS; on Linux it would only print the message a second time.
  if (process.platform !== 'linux') dialog.showErrorBox('PayDesk cannot start', message);
  app.exit(1);
}

const problem = runtimeProblem({
  electronVersion: process.versions.electron,
  nodeVersion: process.versions.node,
  zlibHasCrc32: typeof (zlib as { crc32?: unknown }).crc32 === 'function',
});
const sandbox = chooseSandbox({ uid: process.getuid?.(), argv: process.argv });

if (problem !== null) {
  refuse(problem);
} else if (sandbox.kind === 'refuse') {
  refuse(sandbox.message);
} else {
  if (sandbox.warning !== null) console.warn(sandbox.warning);
  // enableSandbox() turns the sandbox on for every process and drops --no-sandbox, so root may skip it only when asked.
  if (sandbox.kind === 'sandbox') app.enableSandbox();
  // ES modules load asynchronously: awaiting the shell here keeps its setup (paths, scheme, handlers) before 'ready'.
  await import('./shell');
}
