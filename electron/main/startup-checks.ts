/**
 * The decisions the Electron shell takes before anything else starts: is this
 * Electron new enough, and may the Chromium sandbox stay on. Plain functions
 * of plain values, with no electron import, so Node tests them where the
 * Electron runtime is not installed; electron/main/index.ts applies them.
 */

/**
 * The oldest Electron the shell runs on: the main process is an ES module
 * (Electron 28 and later) and the journal checks frames with zlib.crc32,
 * which arrived in Node 20.15; Electron 32 is the first to ship such a Node (20.16).
 */
export const minimumElectronMajor = 32;

export interface RuntimeFacts {
  /** process.versions.electron, e.g. "45.5.0" or "32.0.0-beta.3". */
  electronVersion: string | undefined;
  /** process.versions.node of the Node inside Electron. */
  nodeVersion: string;
  /** Whether node:zlib has crc32 (a build of Node can differ from its version number). */
  zlibHasCrc32: boolean;
}

/** A sentence for the operator when this runtime cannot run PayDesk; null when it can. */
export function runtimeProblem(facts: RuntimeFacts): string | null {
  const major = Number.parseInt(facts.electronVersion ?? '', 10);
  if (!Number.isSafeInteger(major)) {
    return 'PayDesk\'s window needs the Electron runtime; this process is not Electron. Use "npm start", or "npm run web" for a browser.';
  }
  if (major < minimumElectronMajor) {
    return `PayDesk needs Electron ${minimumElectronMajor} or later; this is Electron ${facts.electronVersion}. Install the version in package.json (npm ci).`;
  }
  if (!facts.zlibHasCrc32) {
    const runtime = `Electron ${facts.electronVersion} has Node ${facts.nodeVersion}`;
    return `PayDesk needs zlib.crc32 (Node 20.15 or later) in Electron's Node; this ${runtime} without it.`;
  }
  return null;
}

export interface SandboxFacts {
  /** process.getuid(), or undefined where it does not exist (Windows). */
  uid: number | undefined;
  /** The command line as the process received it. */
  argv: readonly string[];
}

export type SandboxChoice =
  /** A normal user: the sandbox is on for every process, and a --no-sandbox on the command line is ignored. */
  | { kind: 'sandbox'; warning: string | null }
  /** Root with an explicit --no-sandbox (a container or CI runner): honoured, with a warning. */
  | { kind: 'no-sandbox-for-root'; warning: string }
  /** Root without --no-sandbox: Chromium would abort every child process, so the shell refuses to start. */
  | { kind: 'refuse'; message: string };

export const noSandboxSwitch = '--no-sandbox';

/**
 * The sandbox stays on for every normal user. Chromium will not run a sandboxed
 * child process as root, so as root the shell starts only when the operator
 * asked for --no-sandbox on the command line, and says so. Without it,
 * Chromium's own check usually ends the process before any of PayDesk runs;
 * should a runtime get this far, the shell refuses with a message instead of
 * crash-looping without a window. With it, the shell must not call
 * app.enableSandbox(), which would drop the switch and make every child abort.
 */
export function chooseSandbox(facts: SandboxFacts): SandboxChoice {
  const askedForNoSandbox = facts.argv.includes(noSandboxSwitch);
  if (facts.uid !== 0) {
    const warning = askedForNoSandbox ? `paydesk: ${noSandboxSwitch} is ignored: the sandbox stays on unless PayDesk runs as root.` : null;
    return { kind: 'sandbox', warning };
  }
  if (askedForNoSandbox) {
    return {
      kind: 'no-sandbox-for-root',
      warning: `paydesk: running as root with ${noSandboxSwitch}: Chromium's sandbox is off for this process. Run as a normal user where you can.`,
    };
  }
  return {
    kind: 'refuse',
    message: [
      'paydesk: refusing to start as root: Chromium cannot sandbox a root process, and PayDesk keeps the sandbox on.',
      `Run PayDesk as a normal user, or, where root is the only user (a container, a CI runner), pass ${noSandboxSwitch} explicitly.`,
    ].join(' '),
  };
}
