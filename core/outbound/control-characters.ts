/**
 * XLSX cannot hold most C0 control characters: XML 1.0 allows only tab, line feed and carriage return
 * (https://www.w3.org/TR/xml/#charsets), and exceljs drops the others without a word. Rather than lose
 * them silently, an XLSX export replaces each by its visible symbol from Unicode's Control Pictures block
 * (NUL -> U+2400 "␀", U+0001 -> "␁", ...; DEL, which exceljs drops too, -> U+2421 "␡") and the delivery
 * says how many cells it changed (docs/outbound.md).
 * CSV keeps them as they are; JSON escapes them (`\u0000`), so both keep every character.
 */
const NOT_IN_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
const NOT_IN_XML_ALL = new RegExp(NOT_IN_XML.source, 'g');
const CONTROL_PICTURES = 0x2400;
const DELETE_PICTURE = '\u2421';

export function hasControlCharacters(text: string): boolean {
  return NOT_IN_XML.test(text);
}

export function visibleControlCharacters(text: string): string {
  return text.replace(NOT_IN_XML_ALL, (c) =>
    c === '\u007F' ? DELETE_PICTURE : String.fromCharCode(CONTROL_PICTURES + c.charCodeAt(0)),
  );
}
