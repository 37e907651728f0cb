const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const BACKSLASH = 0x5c;
const QUOTE = 0x22;
const APOSTROPHE = 0x27;
const N = 0x4e;

/** How one UNLOAD writes its fields (a subset of the validated options). */
export interface EncodeOptions {
  format: 'text' | 'csv' | 'fixedwidth';
  delimiter: string;
  nullString: string;
  escape: boolean;
  addQuotes: boolean;
  /** FIXEDWIDTH: the width of each column, in bytes. */
  widths?: number[];
}

// PostgreSQL's COPY text escapes, as COPY TO writes them: \b \f \n \r \t \v \\ (others stand for themselves).
const PG_UNESCAPE = new Uint8Array(256).map((_, b) => b);
PG_UNESCAPE[0x62] = 0x08;
PG_UNESCAPE[0x66] = 0x0c;
PG_UNESCAPE[0x6e] = LF;
PG_UNESCAPE[0x72] = CR;
PG_UNESCAPE[0x74] = TAB;
PG_UNESCAPE[0x76] = 0x0b;

/** A growable output buffer the encoder writes rows into; the writer takes its bytes in batches. */
export class ByteSink {
  buf: Buffer;
  len = 0;

  constructor(private readonly initial = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  ensure(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + extra));
    this.buf.copy(bigger, 0, 0, this.len);
    this.buf = bigger;
  }

  /** Hands over the bytes written so far and starts a fresh buffer (the old one now belongs to the caller). */
  take(): Buffer {
    const out = this.buf.subarray(0, this.len);
    this.buf = Buffer.allocUnsafe(Math.max(this.initial, Math.min(this.buf.length, 1024 * 1024)));
    this.len = 0;
    return out;
  }

  /** Keeps only bytes [from, len), moved to the front (a row that must go to the next file). */
  keepFrom(from: number): void {
    this.buf.copy(this.buf, 0, from, this.len);
    this.len -= from;
  }
}

/**
 * Re-encodes rows of PostgreSQL's `COPY … TO STDOUT` text format (tab-separated,
 * backslash-escaped, NULL as `\N`) into UNLOAD's output format, byte by byte, straight into
 * a ByteSink: no strings, no per-value allocation. This is redshift-local's hot loop.
 */
export class RowEncoder {
  private readonly delimiter: number;
  private readonly nullBytes: Buffer;
  /** Bytes that ESCAPE puts a backslash before (AWS: LF, CR, the delimiter, `\`, and quotes with ADDQUOTES). */
  private readonly escapeTable = new Uint8Array(256);
  private readonly widthSum: number;
  /** Text without ADDQUOTES: a row with nothing to unescape or escape is the input with its tabs replaced. */
  private readonly plainText: boolean;

  constructor(
    private readonly o: EncodeOptions,
    private readonly columns: number,
  ) {
    this.delimiter = o.delimiter.charCodeAt(0);
    this.nullBytes = Buffer.from(o.nullString, 'utf8');
    if (o.escape && o.format === 'text') {
      for (const b of [LF, CR, BACKSLASH, this.delimiter]) this.escapeTable[b] = 1;
      if (o.addQuotes) this.escapeTable[QUOTE] = this.escapeTable[APOSTROPHE] = 1;
    }
    this.widthSum = (o.widths ?? []).reduce((a, b) => a + b, 0);
    this.plainText = o.format === 'text' && !o.addQuotes;
  }

  /** One COPY text row (a CopyData body, ending in LF) → one UNLOAD line appended to `sink`. */
  encodeRow(src: Buffer, sink: ByteSink): void {
    if (this.plainText && this.encodePlainRow(src, sink)) return;
    const n = src.length;
    // Worst case: every byte doubled (CSV quotes, escapes), plus per-field NULL text, quotes and padding.
    sink.ensure(2 * n + this.columns * (this.nullBytes.length + 3) + this.widthSum + 2);
    const out = sink.buf;
    let o = sink.len;
    const end = n > 0 && src[n - 1] === LF ? n - 1 : n;
    const csv = this.o.format === 'csv';
    const fixed = this.o.format === 'fixedwidth';
    const quoteAll = this.o.addQuotes;
    const delimiter = this.delimiter;
    const esc = this.escapeTable;
    let i = 0;
    for (let col = 0; ; col++) {
      if (col > 0 && !fixed) out[o++] = delimiter;
      const fieldStart = o;
      if (src[i] === BACKSLASH && src[i + 1] === N && (i + 2 === end || src[i + 2] === TAB)) {
        // NULL: NULL AS text, or nothing (AWS: empty for delimited files, spaces for fixed width,
        // and a NULL AS wider than a fixed-width column leaves it blank).
        if (!fixed || this.nullBytes.length <= (this.o.widths?.[col] ?? 0)) {
          this.nullBytes.copy(out, o);
          o += this.nullBytes.length;
        }
        i += 2;
      } else {
        if (quoteAll) out[o++] = QUOTE;
        let needsQuotes = false;
        for (; i < end; i++) {
          let b = src[i];
          if (b === TAB) break;
          if (b === BACKSLASH) b = PG_UNESCAPE[src[++i]];
          if (csv) {
            if (b === QUOTE) {
              out[o++] = QUOTE;
              needsQuotes = true;
            } else if (b === delimiter || b === LF || b === CR) {
              needsQuotes = true;
            }
          } else if (esc[b] === 1) {
            out[o++] = BACKSLASH;
          }
          out[o++] = b;
        }
        if (quoteAll) {
          out[o++] = QUOTE;
        } else if (needsQuotes) {
          out.copyWithin(fieldStart + 1, fieldStart, o);
          out[fieldStart] = QUOTE;
          o++;
          out[o++] = QUOTE;
        }
      }
      if (fixed) {
        // FIXEDWIDTH pads to the column's width and never truncates (AWS).
        const width = this.o.widths![col] ?? 0;
        while (o - fieldStart < width) out[o++] = SPACE;
      }
      if (i >= end) break;
      i++; // the tab between fields
    }
    out[o++] = LF;
    sink.len = o;
  }

  /**
   * The fast path, taken by most rows: in COPY's text output every LF, CR, tab and
   * backslash inside a value is escaped, and NULL is `\N`, so a row without a backslash has
   * neither NULLs nor anything to unescape. With ESCAPE, such a row still needs work only
   * if it contains the delimiter. Then the line is the row with each separating tab replaced
   * by the delimiter: one memcpy and a memchr per field instead of a JavaScript loop over
   * every byte (the byte loop cost most of redshift-local's CPU time per UNLOAD).
   */
  private encodePlainRow(src: Buffer, sink: ByteSink): boolean {
    if (src.indexOf(BACKSLASH) !== -1) return false;
    const delimiter = this.delimiter;
    if (this.o.escape && delimiter !== TAB && src.indexOf(delimiter) !== -1) return false;
    const n = src.length;
    const end = n > 0 && src[n - 1] === LF ? n - 1 : n;
    sink.ensure(end + 1);
    const out = sink.buf;
    const o = sink.len;
    src.copy(out, o, 0, end);
    if (delimiter !== TAB) {
      for (let t = src.indexOf(TAB); t !== -1 && t < end; t = src.indexOf(TAB, t + 1)) out[o + t] = delimiter;
    }
    out[o + end] = LF;
    sink.len = o + end + 1;
    return true;
  }

  /** A header line of column names, quoted and escaped like the data (AWS: text options apply to the header). */
  encodeHeader(names: string[], sink: ByteSink): void {
    const pgRow = names.map((name) => name.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r'));
    this.encodeRow(Buffer.from(`${pgRow.join('\t')}\n`, 'utf8'), sink);
  }
}
