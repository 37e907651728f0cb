import { spawn } from 'node:child_process';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { createGzip } from 'node:zlib';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { Compression, UnloadOptions } from './options';

export interface WrittenPart {
  key: string;
  bytes: number;
  rows: number;
}

const SUFFIX: Record<Compression, string> = { none: '', gzip: '.gz', bzip2: '.bz2', zstd: '.zst' };

/**
 * One object being written: rows → compressor → byte counter → S3 multipart upload.
 * Memory stays bounded: the upload holds at most a few 5 MB parts.
 */
class PartFile {
  readonly input: Writable;
  bytes = 0;
  rows = 0;
  private readonly upload: Upload;
  private readonly uploaded: Promise<unknown>;

  constructor(s3: S3Client, bucket: string, readonly key: string, compression: Compression) {
    const { input, output } = compressor(compression);
    this.input = input;
    const body = new PassThrough();
    output.on('data', (chunk: Buffer) => (this.bytes += chunk.length));
    output.pipe(body);
    this.upload = new Upload({ client: s3, params: { Bucket: bucket, Key: key, Body: body }, queueSize: 2, partSize: 5 * 1024 * 1024 });
    this.uploaded = this.upload.done();
    this.uploaded.catch(() => undefined);
  }

  write(line: Buffer): boolean {
    return this.input.write(line);
  }

  async finish(): Promise<WrittenPart> {
    this.input.end();
    await this.uploaded;
    return { key: this.key, bytes: this.bytes, rows: this.rows };
  }

  async abort(): Promise<void> {
    this.input.destroy();
    await this.upload.abort().catch(() => undefined);
  }
}

/** gzip in-process; bzip2 and zstd through the Debian tools, streaming (Node 20's zlib has neither). */
function compressor(compression: Compression): { input: Writable; output: Readable } {
  if (compression === 'none') {
    const p = new PassThrough();
    return { input: p, output: p };
  }
  if (compression === 'gzip') {
    const z = createGzip();
    return { input: z, output: z };
  }
  const child = spawn(compression === 'zstd' ? 'zstd' : 'bzip2', compression === 'zstd' ? ['-q', '-c'] : ['-c'], { stdio: ['pipe', 'pipe', 'inherit'] });
  return { input: child.stdin, output: child.stdout };
}

/**
 * Writes an UNLOAD's rows as Redshift names its files: with PARALLEL ON one file series per
 * slice (`<prefix>0002_part_00`, rows spread over the slices), with PARALLEL OFF one series
 * (`<prefix>000`, `<prefix>001`); a new file starts when MAXFILESIZE is reached.
 */
export class UnloadWriter {
  private readonly slices: { index: number; part: number; file: PartFile }[] = [];
  private next = 0;

  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly prefix: string,
    private readonly o: UnloadOptions,
    slices: number,
    private readonly header?: Buffer,
  ) {
    const count = o.parallel ? slices : 1;
    for (let index = 0; index < count; index++) this.slices.push({ index, part: 0, file: this.open(index, 0) });
  }

  /** Writes a row; false means wait for `drain()` before writing more. */
  write(line: Buffer): boolean {
    const slice = this.slices[this.next];
    this.next = (this.next + 1) % this.slices.length;
    if (slice.file.rows > 0 && slice.file.bytes >= this.o.maxFileSizeBytes) {
      this.closing.push(slice.file.finish());
      slice.part++;
      slice.file = this.open(slice.index, slice.part);
    }
    slice.file.rows++;
    const ok = slice.file.write(line);
    if (!ok) this.waiting = slice.file;
    return ok;
  }

  drain(): Promise<void> {
    const file = this.waiting;
    this.waiting = undefined;
    return file ? new Promise((resolve) => file.input.once('drain', resolve)) : Promise.resolve();
  }

  async finish(): Promise<WrittenPart[]> {
    const last = await Promise.all(this.slices.map((s) => s.file.finish()));
    const closed = await Promise.all(this.closing);
    return [...closed, ...last].sort((a, b) => (a.key < b.key ? -1 : 1));
  }

  async abort(): Promise<void> {
    await Promise.all(this.slices.map((s) => s.file.abort()));
  }

  private closing: Promise<WrittenPart>[] = [];
  private waiting?: PartFile;

  private open(slice: number, part: number): PartFile {
    const name = this.o.parallel ? `${String(slice).padStart(4, '0')}_part_${String(part).padStart(2, '0')}` : String(part).padStart(3, '0');
    const extension = this.o.extension ? `.${this.o.extension.replace(/^\./, '')}` : '';
    const file = new PartFile(this.s3, this.bucket, `${this.prefix}${name}${extension}${SUFFIX[this.o.compression]}`, this.o.compression);
    if (this.header) {
      file.write(this.header);
      file.rows++; // AWS: with HEADER, the manifest's row count includes the header line
    }
    return file;
  }
}
