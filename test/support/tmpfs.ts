import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';

/**
 * A small tmpfs for disk-full tests: a real file system that really fills.
 * Mounting needs root (CI runs as root); elsewhere it returns the reason, which
 * the test prints before it skips.
 */
export function mountTmpfs(mountPoint: string, sizeText: string): string | null {
  mkdirSync(mountPoint, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeText}`, 'tmpfs', mountPoint], { stdio: 'pipe' });
    return null;
  } catch (error) {
    return `mounting a tmpfs is not permitted here (${String((error as { stderr?: Buffer }).stderr ?? error).trim()})`;
  }
}

export function unmountTmpfs(mountPoint: string): void {
  try {
    execFileSync('umount', [mountPoint], { stdio: 'pipe' });
  } catch {
    // Not mounted.
  }
}
