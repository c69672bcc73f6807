import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Dependencies point one way (DESIGN.md, "Layers"): renderer -> shared <- core;
 * the shell, the host and the cli depend on core; only the Electron shell
 * (electron/main, electron/preload) imports electron. This test reads every
 * source file's import and require specifiers and refuses the ones that point
 * the wrong way. Do not relax a rule to make a change pass: move the code.
 */

const repositoryRoot = path.resolve(__dirname, '../..');
const sourceExtensions = new Set(['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs', '.jsx']);

export interface SourceFile {
  /** Repository-relative, with forward slashes: "electron/core/engine.ts". */
  path: string;
  source: string;
}

const specifierPatterns = [
  /\bimport\s+(?:type\s+)?[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g,
  /\bexport\s+(?:type\s+)?[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g,
  /\bimport\s*['"]([^'"]+)['"]/g,
  /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
];

export function importSpecifiers(source: string): string[] {
  const found = new Set<string>();
  for (const pattern of specifierPatterns) {
    for (const match of source.matchAll(pattern)) found.add(match[1]);
  }
  return [...found];
}

type Target = { kind: 'file'; path: string } | { kind: 'package'; name: string };

function resolveTarget(fromFile: string, specifier: string): Target {
  if (specifier.startsWith('.') || specifier.startsWith('/')) {
    return { kind: 'file', path: path.posix.normalize(path.posix.join(path.posix.dirname(fromFile), specifier)) };
  }
  const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
  return { kind: 'package', name };
}

const isUnder = (file: string, folder: string) => file === folder || file.startsWith(`${folder}/`);
const underAny = (file: string, folders: string[]) => folders.some((folder) => isUnder(file, folder));
const isElectronPackage = (target: Target) => target.kind === 'package' && target.name === 'electron';
const isNodeBuiltin = (target: Target) => target.kind === 'package' && target.name.startsWith('node:');

interface Rule {
  /** Which files the rule applies to. */
  folder: string;
  why: string;
  refuses(target: Target): boolean;
}

const rules: Rule[] = [
  {
    folder: 'shared',
    why: 'shared/ imports only shared/ and zod',
    refuses: (target) => (target.kind === 'file' ? !isUnder(target.path, 'shared') : target.name !== 'zod'),
  },
  {
    folder: 'electron/core',
    why: 'core never imports electron, nor the shell, host, cli or renderer',
    refuses: (target) =>
      isElectronPackage(target) ||
      (target.kind === 'file' && underAny(target.path, ['electron/main', 'electron/preload', 'electron/host', 'electron/cli', 'renderer'])),
  },
  {
    folder: 'electron/host',
    why: 'the host runs on plain Node: no electron, no shell code',
    refuses: (target) => isElectronPackage(target) || (target.kind === 'file' && underAny(target.path, ['electron/main', 'electron/preload', 'renderer'])),
  },
  {
    folder: 'electron/cli',
    why: 'the cli runs on plain Node: no electron, no shell code',
    refuses: (target) => isElectronPackage(target) || (target.kind === 'file' && underAny(target.path, ['electron/main', 'electron/preload', 'renderer'])),
  },
  {
    folder: 'electron/preload',
    why: 'the sandboxed preload imports only electron, shared/ and itself',
    refuses: (target) =>
      target.kind === 'file' ? !isUnder(target.path, 'shared') && !isUnder(target.path, 'electron/preload') : target.name !== 'electron',
  },
  {
    folder: 'renderer',
    why: 'the renderer reaches the engine only through the contract: no electron/, no electron, no Node',
    refuses: (target) => isElectronPackage(target) || isNodeBuiltin(target) || (target.kind === 'file' && isUnder(target.path, 'electron')),
  },
];

export function findLayeringViolations(files: SourceFile[]): string[] {
  const violations: string[] = [];
  for (const file of files) {
    const applicable = rules.filter((rule) => isUnder(file.path, rule.folder));
    for (const specifier of importSpecifiers(file.source)) {
      const target = resolveTarget(file.path, specifier);
      for (const rule of applicable) {
        if (rule.refuses(target)) violations.push(`${file.path} imports "${specifier}": ${rule.why}`);
      }
    }
  }
  return violations;
}

function listSources(folder: string): SourceFile[] {
  const absolute = path.join(repositoryRoot, folder);
  let entries: string[];
  try {
    entries = readdirSync(absolute, { recursive: true, encoding: 'utf8' });
  } catch {
    return [];
  }
  return entries
    .filter((entry) => sourceExtensions.has(path.extname(entry)) && !entry.split(path.sep).includes('node_modules'))
    .map((entry) => path.join(folder, entry).split(path.sep).join('/'))
    .map((relative) => ({ path: relative, source: readFileSync(path.join(repositoryRoot, relative), 'utf8') }));
}

describe('layering', () => {
  const sources = ['shared', 'electron', 'renderer'].flatMap(listSources);

  it('finds the source files it is meant to check', () => {
    expect(sources.some((file) => file.path.startsWith('shared/'))).toBe(true);
    expect(sources.some((file) => file.path.startsWith('electron/core/'))).toBe(true);
  });

  it('has no import that points the wrong way', () => {
    expect(findLayeringViolations(sources)).toEqual([]);
  });

  it('only the Electron shell imports electron', () => {
    const importers = sources
      .filter((file) => importSpecifiers(file.source).some((specifier) => specifier === 'electron' || specifier.startsWith('electron/')))
      .map((file) => file.path);
    for (const importer of importers) expect(importer).toMatch(/^electron\/(main|preload)\//);
  });
});

describe('the layering check itself', () => {
  const offending: SourceFile[] = [
    { path: 'electron/core/engine.ts', source: "import { app } from 'electron';" },
    { path: 'electron/core/ledger.ts', source: "import type { Thing } from '../main/window';" },
    { path: 'electron/core/lazy.ts', source: "const host = await import('../host/server');" },
    { path: 'shared/money.ts', source: "import { readFileSync } from 'node:fs';" },
    { path: 'shared/contract.ts', source: "export { engine } from '../electron/core/engine';" },
    { path: 'shared/codes.ts', source: "const electron = require('electron');" },
    { path: 'renderer/src/App.tsx', source: "import { Engine } from '../../electron/core/engine';" },
    { path: 'renderer/src/ipc.ts', source: "import { ipcRenderer } from 'electron';" },
    { path: 'electron/host/server.ts', source: "import { BrowserWindow } from 'electron';" },
    { path: 'electron/cli/main.ts', source: "import 'electron';" },
    { path: 'electron/preload/index.ts', source: "import { Engine } from '../core/engine';" },
  ];

  it('fires on every kind of wrong import', () => {
    const violations = findLayeringViolations(offending);
    for (const file of offending) expect(violations.some((violation) => violation.startsWith(file.path)), file.path).toBe(true);
  });

  it('accepts imports that point the right way', () => {
    const allowed: SourceFile[] = [
      { path: 'shared/contract.ts', source: "import type { z } from 'zod';\nimport * as schemas from './schemas';" },
      { path: 'electron/core/engine.ts', source: "import path from 'node:path';\nimport { failure } from '../../shared/result';" },
      { path: 'electron/main/index.ts', source: "import { app } from 'electron';\nimport { Engine } from '../core/engine';" },
      { path: 'renderer/src/api/client.ts', source: "import { isEventName } from '../../../shared/contract';\nimport { create } from 'zustand';" },
      { path: 'electron/host/server.ts', source: "import { Engine } from '../core/engine';\nimport { createServer } from 'node:http';" },
    ];
    expect(findLayeringViolations(allowed)).toEqual([]);
  });

  it('reads specifiers from import, export-from, dynamic import and require', () => {
    const source = [
      "import a from 'a';",
      "import type {\n  B,\n} from 'b';",
      "export * from 'c';",
      "import 'd';",
      "await import('e');",
      "require('f');",
    ].join('\n');
    expect(importSpecifiers(source).sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });
});
