import type { UnloadOptions } from './options';

const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const BACKSLASH = 0x5c;
const QUOTE = 0x22;
const APOSTROPHE = 0x27;

// PostgreSQL's COPY text escapes, as COPY TO writes them.
const PG_UNESCAPE: Record<number, number> = { 0x62: 0x08, 0x66: 0x0c, 0x6e: LF, 0x72: CR, 0x74: TAB, 0x76: 0x0b, [BACKSLASH]: BACKSLASH };

/**
 * Re-encodes rows of PostgreSQL's `COPY … TO STDOUT` text format into UNLOAD's output
 * format, byte by byte on Buffers (this is redshift-local's hot loop).
 */
export class RowEncoder {
  private out = Buffer.allocUnsafe(64 * 1024);
  private len = 0;
  private readonly delimiter: number;
  private readonly nullBytes: Buffer;

  constructor(private readonly o: Pick<UnloadOptions, 'format' | 'delimiter' | 'nullString' | 'escape' | 'addQuotes'>) {
    this.delimiter = o.delimiter.charCodeAt(0);
    this.nullBytes = Buffer.from(o.nullString, 'utf8');
  }

  /** One PostgreSQL COPY text row (ending in a newline) → one UNLOAD line. */
  encodeCopyRow(row: Buffer): Buffer {
    this.len = 0;
    const end = row[row.length - 1] === LF ? row.length - 1 : row.length;
    let start = 0;
    let first = true;
    for (let i = 0; i <= end; i++) {
      if (i === end || row[i] === TAB) {
        if (!first) this.push(this.delimiter);
        first = false;
        this.field(row, start, i);
        start = i + 1;
      }
    }
    this.push(LF);
    return Buffer.from(this.out.subarray(0, this.len));
  }

  /** A header line of column names, with the same quoting and escaping as the data. */
  encodeHeader(names: string[]): Buffer {
    this.len = 0;
    names.forEach((name, i) => {
      if (i > 0) this.push(this.delimiter);
      const bytes = Buffer.from(name, 'utf8');
      this.value(bytes, 0, bytes.length, false);
    });
    this.push(LF);
    return Buffer.from(this.out.subarray(0, this.len));
  }

  private field(row: Buffer, from: number, to: number): void {
    if (to - from === 2 && row[from] === BACKSLASH && row[from + 1] === 0x4e) {
      this.append(this.nullBytes);
      return;
    }
    this.value(row, from, to, true);
  }

  /** Writes one non-NULL value; `pgEscaped` values still carry PostgreSQL's backslash escapes. */
  private value(src: Buffer, from: number, to: number, pgEscaped: boolean): void {
    const csv = this.o.format === 'csv';
    const quoteAll = this.o.addQuotes;
    let needsCsvQuotes = quoteAll;
    if (csv && !needsCsvQuotes) {
      for (let i = from; i < to; i++) {
        const b = src[i];
        if (b === this.delimiter || b === QUOTE || b === LF || b === CR || (pgEscaped && b === BACKSLASH && (src[i + 1] === 0x6e || src[i + 1] === 0x72))) {
          needsCsvQuotes = true;
          break;
        }
        if (pgEscaped && b === BACKSLASH) i++;
      }
    }
    const quoted = csv ? needsCsvQuotes : quoteAll;
    if (quoted) this.push(QUOTE);
    for (let i = from; i < to; i++) {
      let b = src[i];
      if (pgEscaped && b === BACKSLASH) b = PG_UNESCAPE[src[++i]] ?? src[i];
      if (csv) {
        if (b === QUOTE) this.push(QUOTE);
      } else if (this.o.escape && (b === LF || b === CR || b === BACKSLASH || b === this.delimiter || (quoteAll && (b === QUOTE || b === APOSTROPHE)))) {
        this.push(BACKSLASH);
      }
      this.push(b);
    }
    if (quoted) this.push(QUOTE);
  }

  private push(b: number): void {
    if (this.len === this.out.length) this.grow(1);
    this.out[this.len++] = b;
  }

  private append(bytes: Buffer): void {
    if (this.len + bytes.length > this.out.length) this.grow(bytes.length);
    bytes.copy(this.out, this.len);
    this.len += bytes.length;
  }

  private grow(extra: number): void {
    const bigger = Buffer.allocUnsafe(Math.max(this.out.length * 2, this.len + extra));
    this.out.copy(bigger, 0, 0, this.len);
    this.out = bigger;
  }
}
