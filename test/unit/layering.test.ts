import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Dependencies point one way (docs/architecture.md, "Layers"): renderer -> shared <- core;
 * the shell, the host and the cli depend on core; only the Electron shell
 * (electron/main, electron/preload) imports electron. This test reads every
 * source file's import and require specifiers and refuses the ones that point
 * the wrong way, and any circle of imports between files (type-only imports
 * included: a circle of types is a circle of ideas). Do not relax a rule to
 * make a change pass: move the code.
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

/** The file a relative specifier names, trying the extensions and index files the bundler tries; null for a package. */
function resolveFile(fromFile: string, specifier: string, known: Set<string>): string | null {
  const target = resolveTarget(fromFile, specifier);
  if (target.kind !== 'file') return null;
  const stem = target.path.replace(/\.(js|mjs|cjs|jsx)$/, '');
  const extensions = [...sourceExtensions];
  const candidates = [
    target.path,
    ...extensions.map((extension) => `${stem}${extension}`),
    ...extensions.map((extension) => `${target.path}/index${extension}`),
  ];
  return candidates.find((candidate) => known.has(candidate)) ?? null;
}

/**
 * Every circle of imports among the files, each once, as the list of files
 * around it starting from its alphabetically first file: a depth-first search
 * that reports each back edge's loop (Tarjan's components would name the same
 * files; the loop says which imports to cut).
 */
export function findImportCircles(files: SourceFile[]): string[][] {
  const known = new Set(files.map((file) => file.path));
  const edges = new Map<string, string[]>();
  for (const file of files) {
    const targets = importSpecifiers(file.source).map((specifier) => resolveFile(file.path, specifier, known));
    edges.set(file.path, [...new Set(targets.filter((target): target is string => target !== null))].sort());
  }
  const circles = new Map<string, string[]>();
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of edges.get(file) ?? []) {
      if (state.get(next) === 'open') {
        const loop = stack.slice(stack.indexOf(next));
        const start = loop.indexOf([...loop].sort()[0]);
        const canonical = [...loop.slice(start), ...loop.slice(0, start)];
        circles.set(canonical.join(' -> '), canonical);
      } else if (!state.has(next)) {
        visit(next);
      }
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of [...known].sort()) if (!state.has(file)) visit(file);
  return [...circles.values()];
}

const describeCircle = (circle: string[]) => [...circle, circle[0]].join(' -> ');

/**
 * Circles in the renderer that predate the check, listed one by one so that a
 * new circle anywhere still fails; a test below fails when one of them is
 * gone, so the list only shrinks. The store's slices and types.ts are
 * zustand's slice pattern (type-only both ways); PendingBatches borrows
 * DecisionCell and formatAge from PendingPage, which renders PendingBatches.
 */
const knownRendererCircles = [
  'renderer/src/pages/pending/PendingBatches.tsx -> renderer/src/pages/pending/PendingPage.tsx -> renderer/src/pages/pending/PendingBatches.tsx',
  'renderer/src/store/accounts-slice.ts -> renderer/src/store/types.ts -> renderer/src/store/accounts-slice.ts',
  'renderer/src/store/ledger-slice.ts -> renderer/src/store/types.ts -> renderer/src/store/ledger-slice.ts',
  'renderer/src/store/payments-slice.ts -> renderer/src/store/types.ts -> renderer/src/store/payments-slice.ts',
];

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

  it('has no circle of imports beyond the listed renderer ones', () => {
    const circles = findImportCircles(sources).map(describeCircle);
    expect(circles.filter((circle) => !knownRendererCircles.includes(circle))).toEqual([]);
  });

  it('lists only renderer circles that still exist', () => {
    const circles = findImportCircles(sources).map(describeCircle);
    expect(knownRendererCircles.filter((circle) => !circles.includes(circle))).toEqual([]);
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

  it('fires on a circle of imports, type-only ones and longer loops included', () => {
    const circular: SourceFile[] = [
      { path: 'electron/core/engine.ts', source: "import { createBatchHandlers } from './batch/batch-handlers';" },
      { path: 'electron/core/batch/batch-handlers.ts', source: "import type { Engine } from '../engine';" },
      { path: 'electron/cli/main.ts', source: "import { commandTable } from './commands';" },
      { path: 'electron/cli/commands.ts', source: "import { batchCommand } from './batch-command.ts';" },
      { path: 'electron/cli/batch-command.ts', source: "import { exitCodes } from './main';" },
      { path: 'shared/index.ts', source: "export * from './money';" },
      { path: 'shared/money.ts', source: "import { codes } from '.';" },
    ];
    expect(findImportCircles(circular).map(describeCircle).sort()).toEqual([
      'electron/cli/batch-command.ts -> electron/cli/main.ts -> electron/cli/commands.ts -> electron/cli/batch-command.ts',
      'electron/core/batch/batch-handlers.ts -> electron/core/engine.ts -> electron/core/batch/batch-handlers.ts',
      'shared/index.ts -> shared/money.ts -> shared/index.ts',
    ]);
  });

  it('finds no circle where the arrows run one way', () => {
    const oneWay: SourceFile[] = [
      {
        path: 'electron/core/engine.ts',
        source: "import { createBatchHandlers } from './batch/batch-handlers';\nimport type { EngineApi } from './engine-api';",
      },
      { path: 'electron/core/batch/batch-handlers.ts', source: "import type { EngineApi } from '../engine-api';\nimport { z } from 'zod';" },
      { path: 'electron/core/engine-api.ts', source: "import type { Result } from '../../shared/result';" },
      { path: 'shared/result.ts', source: '' },
    ];
    expect(findImportCircles(oneWay)).toEqual([]);
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
