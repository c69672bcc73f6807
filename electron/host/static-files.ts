import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * Resolves request paths to files of the built renderer (out/renderer) and reads
 * them with the right content type. Shared by the loopback host and the
 * Electron shell's app:// protocol, so both refuse the same things: paths that
 * climb out of the folder, directories, and anything that is not a plain file.
 */

/** The largest file the renderer folder may serve; the built bundle is far smaller. */
export const staticFileBytesMax = 32 * 1024 * 1024;

const contentTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

export function contentTypeFor(filePath: string): string {
  return contentTypes[path.extname(filePath).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Maps a URL path such as "/assets/index-abc.js" to a file inside `folder`, or
 * returns null when the path is malformed or would leave the folder.
 * "/" maps to index.html.
 */
export function resolveStaticPath(folder: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const relative = decoded === '/' || decoded === '' ? 'index.html' : decoded.replace(/^\/+/, '');
  const root = path.resolve(folder);
  const resolved = path.resolve(root, relative);
  if (!resolved.startsWith(root + path.sep)) return null;
  return resolved;
}

export interface StaticFile {
  body: Buffer;
  contentType: string;
}

/** Reads a renderer file for a URL path; null when there is no such plain file. */
export async function readStaticFile(folder: string, urlPath: string): Promise<StaticFile | null> {
  const filePath = resolveStaticPath(folder, urlPath);
  if (filePath === null) return null;
  try {
    const info = await stat(filePath);
    if (!info.isFile() || info.size > staticFileBytesMax) return null;
    return { body: await readFile(filePath), contentType: contentTypeFor(filePath) };
  } catch {
    return null;
  }
}
