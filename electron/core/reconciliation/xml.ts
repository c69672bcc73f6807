import { SaxesParser } from 'saxes';
import { failure, success, type Result } from '../../../shared/result';

/**
 * Statement XML, read with saxes: a strict, non-validating XML 1.0 parser
 * that checks well-formedness as the specification defines it (names,
 * characters, attribute quoting, entity references, one root) and resolves
 * namespaces, so a prefixed element (`<camt:Stmt>`) and a default-namespace
 * one (`<Stmt>`) reach the statement readers alike, each with the URI its
 * prefix is bound to (the camt version is read from it). saxes never fetches
 * or expands anything declared in a DTD; PayDesk goes further and refuses a
 * DOCTYPE outright, so no entity but the five predefined and numeric
 * character references can appear. Encodings are settled before this
 * (shared/statement-encoding.ts): the parser gets text. Every error names the
 * line it was found on.
 */

export interface XmlElement {
  /** The local name, without a namespace prefix. */
  name: string;
  /** The namespace URI the element's prefix (or the default namespace) is bound to; '' when none. */
  namespace: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
  line: number;
}

/** How deep elements may nest; camt.053 in a business message envelope needs about fifteen levels. */
const depthMax = 64;
/** Elements one file may hold: a 200,000-entry camt.053 has about twenty per entry. */
const elementsMax = 8_000_000;

class XmlError extends Error {}

function buildTree(source: string): XmlElement {
  const parser = new SaxesParser({ xmlns: true, position: true });
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  let elements = 0;
  let tagLine = 1;
  parser.on('doctype', () => {
    throw new XmlError(`line ${parser.line}: DOCTYPE and other declarations are not accepted`);
  });
  parser.on('opentagstart', () => {
    tagLine = parser.line;
  });
  parser.on('opentag', (tag) => {
    if (++elements > elementsMax) throw new XmlError(`line ${parser.line}: the file holds more than ${elementsMax} elements`);
    const attributes: Record<string, string> = {};
    for (const attribute of Object.values(tag.attributes)) {
      if (attribute.prefix !== 'xmlns' && attribute.name !== 'xmlns') attributes[attribute.local] = attribute.value;
    }
    const element: XmlElement = { name: tag.local, namespace: tag.uri, attributes, children: [], text: '', line: tagLine };
    const parent = stack[stack.length - 1];
    if (parent === undefined) root = element;
    else parent.children.push(element);
    if (!tag.isSelfClosing) stack.push(element);
    if (stack.length > depthMax) throw new XmlError(`line ${tagLine}: elements nest deeper than ${depthMax} levels`);
  });
  parser.on('closetag', (tag) => {
    if (!tag.isSelfClosing) stack.pop();
  });
  const addText = (text: string) => {
    const top = stack[stack.length - 1];
    if (top !== undefined) top.text += text;
  };
  parser.on('text', addText);
  parser.on('cdata', addText);
  parser.write(source);
  if (stack.length > 0) {
    const open = stack[stack.length - 1];
    throw new XmlError(`line ${parser.line}: the file ends inside <${open.name}> opened on line ${open.line}`);
  }
  parser.close();
  if (root === null) throw new XmlError('line 1: the file holds no XML element');
  return root;
}

/** saxes reports "file:line:column: message"; PayDesk says "line N: message". */
function fromSaxes(error: Error): string {
  const match = /^(?:[^:]*:)?(\d+):(\d+): (.*)$/s.exec(error.message);
  return match === null ? error.message : `line ${match[1]}: ${match[3].replace(/\.$/, '')}`;
}

export function parseXml(source: string): Result<XmlElement> {
  try {
    return success(buildTree(source.startsWith('\ufeff') ? source.slice(1) : source));
  } catch (error) {
    if (error instanceof XmlError) return failure('FF01', `The XML is malformed at ${error.message}.`);
    if (error instanceof Error) return failure('FF01', `The XML is malformed at ${fromSaxes(error)}.`);
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
