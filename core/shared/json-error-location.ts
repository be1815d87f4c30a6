/**
 * Finds where a JSON text stops being valid, as line and column, because Node 20's JSON.parse
 * messages sometimes give no position. Called only after JSON.parse has failed.
 */
export interface TextLocation {
  line: number;
  column: number;
}

export function locationOf(text: string, offset: number): TextLocation {
  const before = text.slice(0, offset);
  return { line: before.split('\n').length, column: offset - before.lastIndexOf('\n') };
}

/** Walks a JSON text by its grammar (RFC 8259); throws the offset where the text breaks it. */
class JsonScanner {
  i = 0;
  constructor(readonly text: string) {}

  fail(): never {
    throw this.i;
  }

  whitespace(): void {
    while (this.i < this.text.length && ' \t\n\r'.includes(this.text[this.i]!)) this.i++;
  }

  literal(word: string): void {
    for (const ch of word)
      if (this.text[this.i++] !== ch) {
        this.i--;
        this.fail();
      }
  }

  string(): void {
    const { text } = this;
    this.i++; // opening quote
    while (this.i < text.length && text[this.i] !== '"') {
      if (text[this.i] === '\\') this.escape();
      else if (text.charCodeAt(this.i) < 0x20) this.fail();
      this.i++;
    }
    if (this.i >= text.length) this.fail();
    this.i++;
  }

  /** A backslash and what follows it; leaves `i` on the escape's last character. */
  escape(): void {
    const { text } = this;
    this.i++;
    if (text[this.i] === 'u') {
      for (let k = 1; k <= 4; k++)
        if (!/[0-9a-fA-F]/.test(text[this.i + k] ?? '')) {
          this.i += k;
          this.fail();
        }
      this.i += 4;
    } else if (!'"\\/bfnrt'.includes(text[this.i] ?? '')) this.fail();
  }

  number(): void {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.text.slice(this.i));
    if (!match || match[0] === '' || match[0] === '-') this.fail();
    this.i += match[0].length;
  }

  /** Items separated by commas up to `close` (the opening bracket is at `i`). */
  sequence(close: '}' | ']', item: () => void): void {
    this.i++;
    this.whitespace();
    if (this.text[this.i] === close) {
      this.i++;
      return;
    }
    for (;;) {
      item();
      this.whitespace();
      if (this.text[this.i] === ',') this.i++;
      else if (this.text[this.i] === close) {
        this.i++;
        return;
      } else this.fail();
    }
  }

  member(): void {
    this.whitespace();
    if (this.text[this.i] !== '"') this.fail();
    this.string();
    this.whitespace();
    if (this.text[this.i] !== ':') this.fail();
    this.i++;
    this.value();
  }

  value(): void {
    this.whitespace();
    const ch = this.text[this.i];
    if (ch === '{') this.sequence('}', () => this.member());
    else if (ch === '[') this.sequence(']', () => this.value());
    else if (ch === '"') this.string();
    else if (ch === 't') this.literal('true');
    else if (ch === 'f') this.literal('false');
    else if (ch === 'n') this.literal('null');
    else if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) this.number();
    else this.fail();
  }
}

/** The offset of the first character that breaks the JSON grammar (text.length for a truncated text), or -1. */
export function firstJsonErrorOffset(text: string): number {
  const scanner = new JsonScanner(text);
  try {
    scanner.value();
    scanner.whitespace();
    if (scanner.i < text.length) scanner.fail();
    return -1;
  } catch (offset) {
    return offset as number;
  }
}
