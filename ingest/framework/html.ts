import { isTag, isText, type ChildNode, type Element } from 'domhandler';
import { DomUtils, parseDocument } from 'htmlparser2';

export type HtmlNode = ChildNode;
export type HtmlElement = Element;

/** Parses HTML forgivingly (as browsers do), with entities decoded in text and attributes. */
export function parseHtml(html: string): HtmlNode[] {
  return parseDocument(html, { decodeEntities: true }).children;
}

const PARAGRAPH = new Set(['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'ul', 'ol', 'pre']);
const LINE = new Set(['div', 'li', 'tr']);
const INVISIBLE = new Set(['script', 'style', 'template']);

/**
 * The text a reader sees: tags stripped, entities decoded, source whitespace collapsed as a browser would,
 * `<br>` a line break and paragraphs separated by a blank line. Works on a fragment or on parsed nodes.
 */
export function htmlToText(html: string | readonly HtmlNode[]): string {
  let text = '';
  // Block boundaries do not add up (the end of one div and the start of the next are one line break), so the
  // widest pending one is written only when text follows. `<br>`s do add up.
  let pendingBreak = '';
  const write = (chunk: string) => {
    if (text.length > 0) text += pendingBreak;
    pendingBreak = '';
    text += chunk;
  };
  const visit = (node: HtmlNode): void => {
    if (isText(node)) {
      const collapsed = node.data.replace(/[ \t\r\n\f]+/g, ' ');
      if (collapsed !== ' ' || pendingBreak === '') write(collapsed);
      return;
    }
    if (!isTag(node) || INVISIBLE.has(node.name)) return;
    if (node.name === 'br') {
      write('\n');
      return;
    }
    const boundary = PARAGRAPH.has(node.name) ? '\n\n' : LINE.has(node.name) ? '\n' : '';
    if (boundary.length > pendingBreak.length) pendingBreak = boundary;
    for (const child of node.children) visit(child);
    if (boundary.length > pendingBreak.length) pendingBreak = boundary;
  };
  for (const node of typeof html === 'string' ? parseHtml(html) : html) visit(node);
  return text.replace(/ *\n */g, '\n').replace(/\n{3,}/g, '\n\n').trim();
}

export function hasClass(node: HtmlNode, name: string): node is HtmlElement {
  return isTag(node) && (DomUtils.getAttributeValue(node, 'class') ?? '').split(/\s+/).includes(name);
}

/**
 * Elements under `roots` (depth first, in document order) that `match`, never descending into a subtree that
 * `skip` accepts: how a message's own text is found without the quoted message it replies to.
 */
export function findElements(
  roots: readonly HtmlNode[],
  match: (element: HtmlElement) => boolean,
  skip: (element: HtmlElement) => boolean = () => false,
): HtmlElement[] {
  const found: HtmlElement[] = [];
  const visit = (node: HtmlNode): void => {
    if (!isTag(node) || skip(node)) return;
    if (match(node)) found.push(node);
    for (const child of node.children) visit(child);
  };
  for (const root of roots) visit(root);
  return found;
}

export function attribute(element: HtmlElement, name: string): string | undefined {
  return DomUtils.getAttributeValue(element, name);
}

export function outerHtml(node: HtmlNode): string {
  return DomUtils.getOuterHTML(node);
}
