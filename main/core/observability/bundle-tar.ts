/**
 * A minimal POSIX ustar writer and lister, enough for the support bundle: regular files and
 * folders, names up to 255 bytes (prefix + name), no links, no extended headers. gzip comes from
 * node:zlib. `listTar` reads back what `createTarGz` wrote (and any plain ustar/GNU archive with
 * short names), for tests and the UI preview.
 */
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';

const BLOCK = 512;
const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

export interface TarInput {
  /** Relative path with `/` separators; a trailing `/` (or `type: 'directory'`) makes a folder. */
  name: string;
  data?: Buffer;
  type?: 'file' | 'directory';
  /** Default 0o600 for files, 0o700 for folders. */
  mode?: number;
  /** Epoch milliseconds. */
  mtimeMs: number;
}

export interface TarEntryInfo {
  name: string;
  type: 'file' | 'directory' | 'other';
  size: number;
  mode: number;
  mtimeMs: number;
}

export class TarError extends Error {
  readonly code = 'tar_invalid';
}

/** Uncompressed ustar bytes for `entries`, in order, with the two closing zero blocks. */
export function createTar(entries: TarInput[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const isDir = entry.type === 'directory' || entry.name.endsWith('/');
    const data = isDir ? Buffer.alloc(0) : (entry.data ?? Buffer.alloc(0));
    const name = isDir && !entry.name.endsWith('/') ? `${entry.name}/` : entry.name;
    parts.push(header(name, isDir, data.length, entry.mode ?? (isDir ? 0o700 : 0o600), entry.mtimeMs));
    if (data.length > 0) {
      parts.push(data);
      const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
      if (pad) parts.push(Buffer.alloc(pad));
    }
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}

export async function createTarGz(entries: TarInput[]): Promise<Buffer> {
  return gzipAsync(createTar(entries), { level: 9 });
}

function header(name: string, isDir: boolean, size: number, mode: number, mtimeMs: number): Buffer {
  const block = Buffer.alloc(BLOCK);
  const [prefix, base] = splitName(name);
  block.write(base, 0, 100, 'utf8');
  writeOctal(block, mode & 0o7777, 100, 8);
  writeOctal(block, 0, 108, 8); // uid
  writeOctal(block, 0, 116, 8); // gid
  writeOctal(block, size, 124, 12);
  writeOctal(block, Math.max(0, Math.floor(mtimeMs / 1000)), 136, 12);
  block.fill(0x20, 148, 156); // checksum is computed with this field as spaces
  block.write(isDir ? '5' : '0', 156, 1, 'latin1');
  block.write('ustar\u000000', 257, 8, 'latin1');
  block.write('root', 265, 32, 'latin1');
  block.write('root', 297, 32, 'latin1');
  writeOctal(block, 0, 329, 8); // devmajor
  writeOctal(block, 0, 337, 8); // devminor
  block.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8, 'latin1');
  return block;
}

/** ustar keeps long paths as prefix (≤155 bytes) + "/" + name (≤100 bytes). */
function splitName(name: string): [string, string] {
  if (Buffer.byteLength(name) <= 100) return ['', name];
  for (let i = name.lastIndexOf('/', name.length - 2); i > 0; i = name.lastIndexOf('/', i - 1)) {
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(rest) <= 100) return [prefix, rest];
  }
  throw new TarError(`tar: path too long for ustar: ${name}`);
}

function writeOctal(block: Buffer, value: number, offset: number, length: number): void {
  const digits = value.toString(8);
  if (digits.length > length - 1)
    throw new TarError(`tar: value ${value} does not fit a ${length}-byte field`);
  block.write(`${digits.padStart(length - 1, '0')}\u0000`, offset, length, 'latin1');
}

function readString(block: Buffer, offset: number, length: number): string {
  const slice = block.subarray(offset, offset + length);
  const end = slice.indexOf(0);
  return slice.subarray(0, end === -1 ? length : end).toString('utf8');
}

function readOctal(block: Buffer, offset: number, length: number): number {
  const text = readString(block, offset, length).trim();
  return text === '' ? 0 : parseInt(text, 8);
}

/** Entries of an uncompressed tar, with their data. Verifies every header checksum. */
export function readTar(tar: Buffer): Array<TarEntryInfo & { data: Buffer }> {
  const entries: Array<TarEntryInfo & { data: Buffer }> = [];
  let offset = 0;
  while (offset + BLOCK <= tar.length) {
    const block = tar.subarray(offset, offset + BLOCK);
    if (block.every((b) => b === 0)) break;
    const stored = readOctal(block, 148, 8);
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
    if (sum !== stored) throw new TarError(`tar: bad header checksum at byte ${offset}`);
    const prefix = readString(block, 345, 155);
    const base = readString(block, 0, 100);
    const size = readOctal(block, 124, 12);
    const flag = String.fromCharCode(block[156] ?? 0);
    const type = flag === '5' ? 'directory' : flag === '0' || flag === '\u0000' ? 'file' : 'other';
    const start = offset + BLOCK;
    if (start + size > tar.length) throw new TarError(`tar: entry ${base} is truncated`);
    entries.push({
      name: prefix ? `${prefix}/${base}` : base,
      type,
      size,
      mode: readOctal(block, 100, 8),
      mtimeMs: readOctal(block, 136, 12) * 1000,
      data: Buffer.from(tar.subarray(start, start + size)),
    });
    offset = start + Math.ceil(size / BLOCK) * BLOCK;
  }
  return entries;
}

/** Gunzips a .tar.gz and lists its entries (names, types, sizes, modes), without the data. */
export async function listTar(bytes: Buffer): Promise<TarEntryInfo[]> {
  const tar = await gunzipAsync(bytes);
  return readTar(tar).map(({ data: _data, ...info }) => info);
}
