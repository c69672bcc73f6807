import { failure, success, type Result } from '../../../shared/result';

/**
 * A small, strict XML reader for bank statements: elements, attributes,
 * text, CDATA, comments, processing instructions and the five predefined
 * entities plus numeric ones. Namespace prefixes are dropped (camt.053 files
 * use both default and prefixed namespaces). A DOCTYPE is refused outright,
 * which rules out external entities and entity expansion bombs. Every error
 * names the line it was found on.
 */

export interface XmlElement {
  /** The local name, without a namespace prefix. */
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
  line: number;
}

/** How deep elements may nest; camt.053 needs about ten levels. */
const depthMax = 64;

const namePattern = /^[A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?/;
const attributePattern = /^\s+([A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?)\s*=\s*("([^"<]*)"|'([^'<]*)')/;
const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

class XmlError extends Error {}

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

function decode(text: string, line: number): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|[A-Za-z]+);|&/g, (whole, entity: string | undefined) => {
    if (entity === undefined) throw new XmlError(`line ${line}: a bare "&" must be written &amp;`);
    if (entity.startsWith('#x')) return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(Number.parseInt(entity.slice(1), 10));
    const value = entities[entity];
    if (value === undefined) throw new XmlError(`line ${line}: the entity ${whole} is not defined`);
    return value;
  });
}

class Reader {
  private position = 0;
  private line = 1;
  private readonly stack: XmlElement[] = [];
  root: XmlElement | null = null;

  constructor(private readonly source: string) {}

  private advance(to: number): void {
    for (let index = this.position; index < to; index++) if (this.source.charCodeAt(index) === 10) this.line++;
    this.position = to;
  }

  private skipPast(marker: string, what: string): string {
    const end = this.source.indexOf(marker, this.position);
    if (end < 0) throw new XmlError(`line ${this.line}: ${what} is never closed`);
    const inside = this.source.slice(this.position, end);
    this.advance(end + marker.length);
    return inside;
  }

  read(): XmlElement {
    while (this.position < this.source.length) {
      const next = this.source.indexOf('<', this.position);
      const textEnd = next < 0 ? this.source.length : next;
      this.text(this.source.slice(this.position, textEnd));
      this.advance(textEnd);
      if (next < 0) break;
      this.markup();
    }
    if (this.stack.length > 0) {
      const open = this.stack[this.stack.length - 1];
      throw new XmlError(`line ${this.line}: the file ends inside <${open.name}> opened on line ${open.line}`);
    }
    if (this.root === null) throw new XmlError('line 1: the file holds no XML element');
    return this.root;
  }

  private text(raw: string): void {
    if (raw.trim() === '') return;
    const top = this.stack[this.stack.length - 1];
    if (top === undefined) throw new XmlError(`line ${this.line}: text outside the root element`);
    top.text += decode(raw, this.line);
  }

  private markup(): void {
    const rest = this.source.startsWith.bind(this.source);
    if (rest('<!--', this.position)) return void this.skipPast('-->', 'a comment');
    if (rest('<?', this.position)) return void this.skipPast('?>', 'a processing instruction');
    if (rest('<![CDATA[', this.position)) {
      this.advance(this.position + 9);
      const top = this.stack[this.stack.length - 1];
      const inside = this.skipPast(']]>', 'a CDATA section');
      if (top === undefined) throw new XmlError(`line ${this.line}: CDATA outside the root element`);
      top.text += inside;
      return;
    }
    if (rest('<!', this.position)) throw new XmlError(`line ${this.line}: DOCTYPE and other declarations are not accepted`);
    if (rest('</', this.position)) return this.endTag();
    this.startTag();
  }

  private startTag(): void {
    const line = this.line;
    this.advance(this.position + 1);
    const name = namePattern.exec(this.source.slice(this.position, this.position + 200));
    if (name === null) throw new XmlError(`line ${line}: "<" does not start an element name`);
    this.advance(this.position + name[0].length);
    const element: XmlElement = { name: localName(name[0]), attributes: {}, children: [], text: '', line };
    for (;;) {
      const slice = this.source.slice(this.position, this.position + 4096);
      const attribute = attributePattern.exec(slice);
      if (attribute === null) break;
      element.attributes[localName(attribute[1])] = decode(attribute[3] ?? attribute[4] ?? '', this.line);
      this.advance(this.position + attribute[0].length);
    }
    const close = /^\s*(\/?)>/.exec(this.source.slice(this.position, this.position + 4096));
    if (close === null) throw new XmlError(`line ${this.line}: the tag <${element.name}> is malformed`);
    this.advance(this.position + close[0].length);
    this.attach(element);
    if (close[1] !== '/') this.stack.push(element);
    if (this.stack.length > depthMax) throw new XmlError(`line ${line}: elements nest deeper than ${depthMax} levels`);
  }

  private attach(element: XmlElement): void {
    const parent = this.stack[this.stack.length - 1];
    if (parent !== undefined) parent.children.push(element);
    else if (this.root === null) this.root = element;
    else throw new XmlError(`line ${element.line}: a second root element <${element.name}>`);
  }

  private endTag(): void {
    const line = this.line;
    const inside = this.skipPast('>', 'an end tag').slice(2).trim();
    const open = this.stack.pop();
    if (open === undefined) throw new XmlError(`line ${line}: </${inside}> closes nothing`);
    if (localName(inside) !== open.name) throw new XmlError(`line ${line}: </${inside}> closes <${open.name}> opened on line ${open.line}`);
  }
}

export function parseXml(source: string): Result<XmlElement> {
  try {
    return success(new Reader(source.startsWith('\ufeff') ? source.slice(1) : source).read());
  } catch (error) {
    if (error instanceof XmlError) return failure('FF01', `The XML is malformed at ${error.message}.`);
    throw error;
  }
}

export function child(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((candidate) => candidate.name === name);
}

export function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((candidate) => candidate.name === name);
}

/** The element at a path of child names, such as ['BookgDt', 'Dt'], or undefined. */
export function at(element: XmlElement, ...names: string[]): XmlElement | undefined {
  let current: XmlElement | undefined = element;
  for (const name of names) current = current === undefined ? undefined : child(current, name);
  return current;
}

export function textAt(element: XmlElement, ...names: string[]): string {
  return at(element, ...names)?.text.trim() ?? '';
}
