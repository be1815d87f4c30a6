/** The few XML shapes S3 speaks: escape text, build elements, parse small request bodies. */
import { XMLParser } from 'fast-xml-parser';

export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!,
  );
}

export type XmlNode = string | number | boolean | undefined | XmlElement | XmlNode[];
export interface XmlElement {
  [tag: string]: XmlNode;
}

/** `{ A: 'x', B: [{ C: 1 }, { C: 2 }] }` -> `<A>x</A><B><C>1</C></B><B><C>2</C></B>` */
export function toXml(element: XmlElement): string {
  let out = '';
  for (const [tag, value] of Object.entries(element)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item === undefined) continue;
      if (typeof item === 'object' && !Array.isArray(item)) out += `<${tag}>${toXml(item)}</${tag}>`;
      else out += `<${tag}>${escapeXml(String(item))}</${tag}>`;
    }
  }
  return out;
}

export const S3_XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** A document whose body is one element or several in order (elements of different tags interleaved). */
export function xmlDocument(root: string, body: XmlElement | readonly XmlElement[]): string {
  const parts = Array.isArray(body) ? body : [body];
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${S3_XMLNS}">${parts.map(toXml).join('')}</${root}>`;
}

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: false,
  removeNSPrefix: true,
  isArray: (name) => name === 'Object' || name === 'Part' || name === 'Tag',
});

/** Parses a request body; undefined when it is not well-formed XML. */
export function parseXml(text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = parser.parse(text, true);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
