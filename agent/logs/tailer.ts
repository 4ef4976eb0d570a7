// Reads what was appended to one log file since the last read, in bounded memory.
// An idle read costs one stat; a read with news costs stat + open + one pread + close.
import { open, stat } from 'node:fs/promises';
import { AgentError } from '../errors.js';
import { decodeLine } from './line-text.js';

export interface TailerOptions {
  /** Longer lines are cut at this many bytes and marked; the rest of the line is skipped, never buffered. */
  maxLineBytes?: number;
  /** At most this many bytes per read(); `more` says when bytes remain. */
  maxReadBytes?: number;
  /** Where the first read starts: a byte offset, or 'end' to skip what is already there. */
  startAt?: number | 'end';
}

export interface TailRead {
  /** Complete lines (terminated by \n or \r), decoded, without empty ones. */
  lines: string[];
  /** The file shrank, or the bytes before our offset changed (truncated and rewritten): restarted at 0. */
  truncated: boolean;
  /** A different file (inode or device) is now at the path: restarted at 0 of the new file. */
  rotated: boolean;
  /** Nothing at the path (not created yet, or removed). */
  missing: boolean;
  /** Bytes read from the file by this call. */
  bytesRead: number;
  /** Unread bytes remain (this call stopped at maxReadBytes). */
  more: boolean;
  /** Lines cut at maxLineBytes in this call. */
  cutLines: number;
}

/** Bytes just before the offset re-read with each read: if they changed, the file was rewritten under us. */
const SIGNATURE_BYTES = 8;
const NL = 0x0a;
const CR = 0x0d;

export class LogTailer {
  readonly path: string;
  private readonly maxLineBytes: number;
  private readonly maxReadBytes: number;
  private startAtEnd: boolean;
  private pos: number;
  private ino: bigint | null = null;
  private dev: bigint | null = null;
  private mtimeNs: bigint | null = null;
  /** The file disappeared after we had read it: whatever appears next is a new file. */
  private vanished = false;
  /** The last bytes consumed before `pos`, or null when unknown (start, or after 'end'). */
  private signature: Buffer | null = null;
  private carry: Buffer[] = [];
  private carryLen = 0;
  /** Inside a line that was already cut: skip to its end. */
  private discarding = false;

  constructor(path: string, opts: TailerOptions = {}) {
    this.path = path;
    this.maxLineBytes = opts.maxLineBytes ?? 64 * 1024;
    this.maxReadBytes = Math.max(opts.maxReadBytes ?? 1024 * 1024, SIGNATURE_BYTES + 1);
    this.startAtEnd = opts.startAt === 'end';
    this.pos = typeof opts.startAt === 'number' ? opts.startAt : 0;
  }

  /** Bytes of the file consumed so far. */
  get offset(): number {
    return this.pos;
  }

  async read(): Promise<TailRead> {
    const result: TailRead = {
      lines: [],
      truncated: false,
      rotated: false,
      missing: false,
      bytesRead: 0,
      more: false,
      cutLines: 0,
    };
    let st;
    try {
      st = await stat(this.path, { bigint: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        // Even if the next file reuses the inode number and size, it is another file.
        if (this.ino !== null) this.vanished = true;
        return { ...result, missing: true };
      }
      throw new AgentError('AGENT_ERR_INTERNAL', `cannot stat log ${this.path}`, { cause: err });
    }
    if (!st.isFile()) {
      // A directory, FIFO or device is no log (`-o` naming a folder): nothing to read, and a FIFO's open
      // would block. Reported like a missing file; whatever regular file appears there later is new.
      if (this.ino !== null) this.vanished = true;
      return { ...result, missing: true };
    }
    const size = Number(st.size);
    if (this.vanished || (this.ino !== null && (st.ino !== this.ino || st.dev !== this.dev))) {
      this.vanished = false;
      this.restart();
      result.rotated = true;
    } else if (size < this.pos) {
      this.restart();
      result.truncated = true;
    }
    // Same size but a new mtime: rewritten in place, or touched. Only the signature read can tell which.
    const rewritten = size === this.pos && this.mtimeNs !== null && st.mtimeNs !== this.mtimeNs;
    this.ino = st.ino;
    this.dev = st.dev;
    this.mtimeNs = st.mtimeNs;
    if (this.startAtEnd) {
      this.startAtEnd = false;
      this.pos = size;
    }
    if (size < this.pos || (size === this.pos && !(rewritten && this.signature !== null))) return result;

    const fh = await open(this.path, 'r').catch((err: unknown) => {
      throw new AgentError('AGENT_ERR_INTERNAL', `cannot open log ${this.path}`, { cause: err });
    });
    try {
      let buf = await this.readAt(fh, size, result);
      if (buf === null) {
        // The bytes before our offset changed: the file was truncated and rewritten past it.
        this.restart();
        result.truncated = true;
        buf = await this.readAt(fh, size, result);
      }
      if (buf !== null) this.consume(buf, result);
      result.more = size > this.pos;
    } finally {
      await fh.close();
    }
    return result;
  }

  /**
   * The pending partial line (no terminator yet) as a final line, e.g. when the task has ended.
   * Returns null when there is none.
   */
  takePartial(): string | null {
    if (this.carryLen === 0) return null;
    const line = decodeLine(Buffer.concat(this.carry, this.carryLen));
    this.carry = [];
    this.carryLen = 0;
    return line || null;
  }

  private restart(): void {
    this.pos = 0;
    this.signature = null;
    this.carry = [];
    this.carryLen = 0;
    this.discarding = false;
  }

  /** One pread of the signature plus new bytes; null when the signature no longer matches. */
  private async readAt(
    fh: Awaited<ReturnType<typeof open>>,
    size: number,
    result: TailRead,
  ): Promise<Buffer | null> {
    const sigLen = this.signature?.length ?? 0;
    const want = Math.min(size - this.pos, this.maxReadBytes) + sigLen;
    const buf = Buffer.allocUnsafe(want);
    let got = 0;
    while (got < want) {
      const { bytesRead } = await fh.read(buf, got, want - got, this.pos - sigLen + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    result.bytesRead += got;
    if (sigLen > 0 && (got < sigLen || !buf.subarray(0, sigLen).equals(this.signature as Buffer)))
      return null;
    return buf.subarray(sigLen, got);
  }

  /** Splits bytes into lines, carrying a partial last line (bounded) into the next read. */
  private consume(buf: Buffer, result: TailRead): void {
    let i = 0;
    while (i < buf.length) {
      let j = i;
      while (j < buf.length && buf[j] !== NL && buf[j] !== CR) j++;
      const terminated = j < buf.length;
      if (this.discarding) {
        if (terminated) this.discarding = false;
      } else {
        const room = this.maxLineBytes - this.carryLen;
        if (j - i > room) {
          this.pushCarry(buf.subarray(i, i + room));
          this.emit(result, true);
          this.discarding = !terminated;
        } else if (terminated) {
          this.pushCarry(buf.subarray(i, j));
          this.emit(result, false);
        } else {
          // Copy: a view would keep the whole read buffer alive until the line ends.
          this.pushCarry(Buffer.from(buf.subarray(i, j)));
        }
      }
      i = terminated ? j + 1 : j;
    }
    this.pos += buf.length;
    const sigFrom = Math.max(0, buf.length - SIGNATURE_BYTES);
    const tail = buf.subarray(sigFrom);
    // Keep the last SIGNATURE_BYTES consumed, joining with the previous signature after a short read.
    this.signature =
      tail.length >= SIGNATURE_BYTES || this.signature === null
        ? Buffer.from(tail)
        : Buffer.concat([this.signature, tail]).subarray(-SIGNATURE_BYTES);
  }

  private pushCarry(part: Buffer): void {
    if (part.length === 0) return;
    this.carry.push(part);
    this.carryLen += part.length;
  }

  private emit(result: TailRead, cut: boolean): void {
    const bytes =
      this.carry.length === 1 ? (this.carry[0] as Buffer) : Buffer.concat(this.carry, this.carryLen);
    this.carry = [];
    this.carryLen = 0;
    const text = decodeLine(bytes);
    if (cut) {
      result.cutLines++;
      result.lines.push(`${text} …[line cut at ${this.maxLineBytes} bytes]`);
    } else if (text) {
      result.lines.push(text);
    }
  }
}
