import { spawn } from 'node:child_process';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { createGzip } from 'node:zlib';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { ByteSink, type RowEncoder } from './encode';
import type { Compression, UnloadOptions } from './options';

export interface WrittenPart {
  key: string;
  /** Bytes of the object as stored (after compression). */
  bytes: number;
  rows: number;
}

const SUFFIX: Record<Compression, string> = { none: '', gzip: '.gz', bzip2: '.bz2', zstd: '.zst' };

/**
 * The object name after the prefix. AWS ("UNLOAD" page): `<slice>_part_<part>` with
 * PARALLEL ON, `000`, `001`… with PARALLEL OFF; the compression's suffix is appended unless
 * EXTENSION is given, which replaces it (AWS's example pairs `EXTENSION 'txt.gz'` with GZIP).
 */
export function objectName(o: Pick<UnloadOptions, 'parallel' | 'extension' | 'compression'>, slice: number, part: number): string {
  const base = o.parallel ? `${String(slice).padStart(4, '0')}_part_${String(part).padStart(2, '0')}` : String(part).padStart(3, '0');
  if (o.extension) return `${base}.${o.extension.replace(/^\./, '')}`;
  return base + SUFFIX[o.compression];
}

/**
 * One object being written: bytes → compressor → byte counter → S3 multipart upload.
 * Memory stays bounded: the upload holds at most a few 5 MB parts.
 */
class PartFile {
  readonly input: Writable;
  /** Bytes handed to the compressor. */
  inBytes = 0;
  /** Bytes that came out of it (the object's size once finished). */
  outBytes = 0;
  rows = 0;
  private readonly upload: Upload;
  private readonly uploaded: Promise<unknown>;

  constructor(
    s3: S3Client,
    bucket: string,
    readonly key: string,
    compression: Compression,
    onError: (err: Error) => void,
  ) {
    const { input, output } = compressor(compression);
    this.input = input;
    const body = new PassThrough({ highWaterMark: 1024 * 1024 });
    output.on('data', (chunk: Buffer) => (this.outBytes += chunk.length));
    output.on('error', onError);
    input.on('error', onError);
    output.pipe(body);
    this.upload = new Upload({ client: s3, params: { Bucket: bucket, Key: key, Body: body }, queueSize: 2, partSize: 5 * 1024 * 1024 });
    this.uploaded = this.upload.done();
    this.uploaded.catch(onError);
  }

  write(bytes: Buffer): boolean {
    this.inBytes += bytes.length;
    return this.input.write(bytes);
  }

  async finish(): Promise<WrittenPart> {
    this.input.end();
    await this.uploaded;
    return { key: this.key, bytes: this.outBytes, rows: this.rows };
  }

  async abort(): Promise<void> {
    this.input.destroy();
    await this.upload.abort().catch(() => undefined);
  }
}

/** gzip in-process; bzip2 and zstd through the Debian tools, streaming (Node 20's zlib has neither). */
function compressor(compression: Compression): { input: Writable; output: Readable } {
  if (compression === 'none') {
    const p = new PassThrough({ highWaterMark: 1024 * 1024 });
    return { input: p, output: p };
  }
  if (compression === 'gzip') {
    const z = createGzip({ chunkSize: 64 * 1024 });
    return { input: z, output: z };
  }
  const child = spawn(compression === 'zstd' ? 'zstd' : 'bzip2', compression === 'zstd' ? ['-q', '-c'] : ['-c'], { stdio: ['pipe', 'pipe', 'inherit'] });
  child.on('error', (err) => child.stdout.emit('error', new Error(`${compression} could not run: ${err.message}`)));
  return { input: child.stdin, output: child.stdout };
}

interface Slice {
  index: number;
  part: number;
  file: PartFile;
  /** Encoded rows not yet handed to the file (one batch per received chunk). */
  sink: ByteSink;
}

/**
 * Writes an UNLOAD's rows as Redshift names its files: with PARALLEL ON one file series per
 * slice (`<prefix>0002_part_00`, rows dealt round-robin over the slices), with PARALLEL OFF
 * one series (`<prefix>000`, `<prefix>001`); a file is closed before it would exceed
 * MAXFILESIZE and the series continues in the next part.
 *
 * Rows are encoded into per-slice batches (`writeRow`, synchronous) and handed to the
 * compressors once per received chunk (`flush`), which reports back-pressure.
 */
export class UnloadWriter {
  private readonly slices: Slice[] = [];
  private next = 0;
  private readonly closing: Promise<WrittenPart>[] = [];
  private failure?: Error;
  private readonly failureListeners: ((err: Error) => void)[] = [];
  /** Settles on the first failure: a failed upload stops draining its stream, so nobody waits on it forever. */
  private readonly failedSignal = new Promise<void>((resolve) => this.failureListeners.push(() => resolve()));
  private readonly header?: Buffer;

  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly prefix: string,
    private readonly o: UnloadOptions,
    slices: number,
    private readonly encoder: RowEncoder,
    headerNames?: string[],
  ) {
    if (headerNames) {
      const sink = new ByteSink(1024);
      encoder.encodeHeader(headerNames, sink);
      this.header = Buffer.from(sink.buf.subarray(0, sink.len));
    }
    const count = o.parallel ? slices : 1;
    for (let index = 0; index < count; index++) this.slices.push({ index, part: 0, file: this.open(index, 0), sink: new ByteSink() });
  }

  /** The first upload/compression failure, if any. */
  get failed(): Error | undefined {
    return this.failure;
  }

  onFailure(listener: (err: Error) => void): void {
    this.failureListeners.push(listener);
  }

  writeRow(row: Buffer): void {
    const slice = this.slices[this.next];
    if (++this.next === this.slices.length) this.next = 0;
    const before = slice.sink.len;
    this.encoder.encodeRow(row, slice.sink);
    const rowBytes = slice.sink.len - before;
    const file = slice.file;
    // Uncompressed files are sized exactly; compressed ones by what the compressor has emitted so far.
    const full = this.o.compression === 'none' ? file.inBytes + before + rowBytes > this.o.maxFileSizeBytes : file.outBytes >= this.o.maxFileSizeBytes;
    if (full && file.rows > (this.header ? 1 : 0)) {
      if (before > 0) file.write(Buffer.from(slice.sink.buf.subarray(0, before)));
      slice.sink.keepFrom(before);
      const finished = file.finish();
      finished.catch(() => undefined); // reported through fail(); awaited in finish()
      this.closing.push(finished);
      slice.part++;
      slice.file = this.open(slice.index, slice.part);
    }
    slice.file.rows++;
  }

  /** Hands the batched rows to the compressors; resolves when they can take more (back-pressure). */
  flush(): Promise<void> | undefined {
    const waits: Promise<void>[] = [];
    for (const slice of this.slices) {
      if (slice.sink.len === 0) continue;
      const input = slice.file.input;
      if (!slice.file.write(slice.sink.take())) waits.push(new Promise((resolve) => input.once('drain', resolve)));
    }
    if (waits.length === 0) return undefined;
    return Promise.race([Promise.all(waits).then(() => undefined), this.failedSignal]);
  }

  async finish(): Promise<WrittenPart[]> {
    this.flush();
    const last = await Promise.all(this.slices.map((s) => s.file.finish()));
    const closed = await Promise.all(this.closing);
    if (this.failure) throw this.failure;
    return [...closed, ...last].sort((a, b) => (a.key < b.key ? -1 : 1));
  }

  async abort(): Promise<void> {
    await Promise.all(this.slices.map((s) => s.file.abort()));
  }

  private open(slice: number, part: number): PartFile {
    const file = new PartFile(this.s3, this.bucket, `${this.prefix}${objectName(this.o, slice, part)}`, this.o.compression, (err) => this.fail(err));
    if (this.header) {
      file.write(this.header);
      file.rows++; // AWS: with HEADER, the manifest's record counts include the header line
    }
    return file;
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    for (const listener of this.failureListeners.splice(0)) listener(err);
  }
}
