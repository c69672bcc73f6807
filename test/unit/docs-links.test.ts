import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Every relative link in README.md and docs/ must point to a file inside the
 * repository: a page that sends a new reader to a file nobody who clones the
 * repository has (or that was renamed away) fails here.
 */

const repositoryRoot = path.resolve(__dirname, '../..');

export interface Link {
  /** The markdown file, repository-relative. */
  from: string;
  target: string;
  line: number;
}

const inlineLink = /!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g;
const referenceDefinition = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/;

/** The links of a markdown text, outside fenced code blocks and inline code. */
export function linksIn(from: string, markdown: string): Link[] {
  const links: Link[] = [];
  let fenced = false;
  markdown.split('\n').forEach((text, index) => {
    if (/^\s*(```|~~~)/.test(text)) fenced = !fenced;
    if (fenced) return;
    const withoutCode = text.replace(/`[^`]*`/g, '');
    for (const match of withoutCode.matchAll(inlineLink)) links.push({ from, target: match[1], line: index + 1 });
    const definition = referenceDefinition.exec(withoutCode);
    if (definition !== null) links.push({ from, target: definition[1], line: index + 1 });
  });
  return links;
}

const isExternal = (target: string) => /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//');

/** Why a relative link is broken, or null when it names a file or folder inside the repository. */
export function brokenLink(link: Link, root: string, exists: (absolute: string) => boolean): string | null {
  if (isExternal(link.target) || link.target.startsWith('#')) return null;
  const filePart = decodeURIComponent(link.target.split('#')[0].split('?')[0]);
  const absolute = path.resolve(root, path.dirname(link.from), filePart);
  const where = `${link.from}:${link.line} links to ${link.target}`;
  if (path.relative(root, absolute).startsWith('..')) return `${where}, which is outside the repository`;
  return exists(absolute) ? null : `${where}, which does not exist`;
}

function markdownFiles(): string[] {
  const docs = readdirSync(path.join(repositoryRoot, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((entry) => entry.endsWith('.md'))
    .map((entry) => path.join('docs', entry).split(path.sep).join('/'));
  return ['README.md', ...docs];
}

describe('links in README.md and docs/', () => {
  const files = markdownFiles();
  const links = files.flatMap((file) => linksIn(file, readFileSync(path.join(repositoryRoot, file), 'utf8')));

  it('reads the README, the docs index and the pages it lists', () => {
    expect(files).toEqual(expect.arrayContaining(['README.md', 'docs/README.md', 'docs/architecture.md', 'docs/durability.md', 'docs/file-formats.md']));
    expect(links.filter((link) => link.from === 'README.md').map((link) => link.target)).toContain('docs/README.md');
  });

  it('points every relative link at a file in the repository', () => {
    expect(links.map((link) => brokenLink(link, repositoryRoot, existsSync)).filter((problem) => problem !== null)).toEqual([]);
  });

  it('lists every docs page in the docs index', () => {
    const index = new Set(linksIn('docs/README.md', readFileSync(path.join(repositoryRoot, 'docs/README.md'), 'utf8')).map((link) => link.target));
    for (const page of files.filter((file) => file.startsWith('docs/') && file !== 'docs/README.md')) {
      expect(index.has(path.posix.relative('docs', page)), page).toBe(true);
    }
  });
});

describe('the link check itself', () => {
  const root = '/repo';
  const present = new Set(['/repo/docs/architecture.md', '/repo/shared/contract.ts', '/repo/README.md']);
  const exists = (absolute: string) => present.has(absolute);
  const check = (from: string, markdown: string) =>
    linksIn(from, markdown).map((link) => brokenLink(link, root, exists)).filter((problem) => problem !== null);

  it('fires on a missing file, a file outside the repository and a broken reference definition', () => {
    const markdown = [
      'See [the design](../shared/DESIGN.md) and [gone](docs/missing.md#part).',
      '![diagram](docs/diagram.png)',
      '[design]: ./nowhere.md',
    ].join('\n');
    expect(check('README.md', markdown)).toEqual([
      'README.md:1 links to ../shared/DESIGN.md, which is outside the repository',
      'README.md:1 links to docs/missing.md#part, which does not exist',
      'README.md:2 links to docs/diagram.png, which does not exist',
      'README.md:3 links to ./nowhere.md, which does not exist',
    ]);
  });

  it('accepts existing files, anchors and external addresses, and ignores code', () => {
    const markdown = [
      '[arch](architecture.md#layers), [contract](../shared/contract.ts), [top](#top), [readme](../README.md)',
      '[web](https://example.com/x.md) and [mail](mailto:ops@example.com)',
      '`[not a link](nowhere.md)`',
      '```',
      '[also not](nowhere.md)',
      '```',
    ].join('\n');
    expect(check('docs/README.md', markdown)).toEqual([]);
  });
});
