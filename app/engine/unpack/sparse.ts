import fs from 'node:fs';
import type { Readable } from 'node:stream';
import { EngineError } from '../errors.js';
import { tooLarge } from './layer-limits.js';

/**
 * GNU tar's sparse files in PAX archives (GNU tar manual, "Storing Sparse
 * Files"): format 0.1 keeps the map in the GNU.sparse.map header, format
 * 1.0 at the start of the entry's data (decimal numbers, one per line,
 * padded to a 512-byte block). The entry's data holds only the non-hole
 * segments, and its header name is a stand-in (GNUSparseFile.<pid>/...);
 * GNU.sparse.name is the real one. Format 0.0 repeats header keys, which a
 * PAX parser keeps only once, and the old GNU 'S' type keeps its map in
 * header bytes the tar parser does not expose: both are refused rather than
 * unpacked as something else.
 */
export interface SparseInfo {
  name: string;
  realSize: number;
  /** [offset, length] pairs; null when the map leads the data (format 1.0). */
  map: Array<[number, number]> | null;
}

const MAX_SEGMENTS = 1_000_000;

function refuse(name: string, why: string): EngineError {
  return new EngineError('E_ARCHIVE_INVALID', `layer entry ${JSON.stringify(name)} is ${why}; Cove does not guess its content. Rebuild the image with a current tar (GNU tar --format=posix, or without --sparse)`);
}

function wholeNumber(text: string | undefined, name: string, what: string): number {
  if (text === undefined || !/^\d{1,16}$/.test(text.trim())) throw refuse(name, `a sparse file with a bad ${what} (${JSON.stringify(text)})`);
  const n = Number(text.trim());
  if (!Number.isSafeInteger(n)) throw refuse(name, `a sparse file with a bad ${what}`);
  return n;
}

/** The sparse description of an entry, null for an ordinary one; throws for forms it cannot reproduce. */
export function sparseInfo(headerName: string, type: string | null, pax: Record<string, string> | null | undefined): SparseInfo | null {
  if (type === null) throw refuse(headerName, 'of an unsupported tar type (a GNU old-format sparse file or another GNU extension)');
  if (!pax || type !== 'file') return null;
  const name = pax['GNU.sparse.name'] ?? headerName;
  if (pax['GNU.sparse.major'] !== undefined || pax['GNU.sparse.minor'] !== undefined) {
    if (pax['GNU.sparse.major'] !== '1' || pax['GNU.sparse.minor'] !== '0') throw refuse(name, `a sparse file of unknown format ${pax['GNU.sparse.major']}.${pax['GNU.sparse.minor']}`);
    return { name, realSize: wholeNumber(pax['GNU.sparse.realsize'], name, 'real size'), map: null };
  }
  if (pax['GNU.sparse.map'] !== undefined) {
    const nums = pax['GNU.sparse.map'] === '' ? [] : pax['GNU.sparse.map'].split(',').map((t) => wholeNumber(t, name, 'map'));
    if (nums.length % 2 !== 0 || nums.length / 2 > MAX_SEGMENTS) throw refuse(name, 'a sparse file with a malformed map');
    const map: Array<[number, number]> = [];
    for (let i = 0; i < nums.length; i += 2) map.push([nums[i] as number, nums[i + 1] as number]);
    return { name, realSize: wholeNumber(pax['GNU.sparse.size'] ?? pax['GNU.sparse.realsize'], name, 'real size'), map };
  }
  if (pax['GNU.sparse.offset'] !== undefined || pax['GNU.sparse.numbytes'] !== undefined || pax['GNU.sparse.numblocks'] !== undefined) {
    throw refuse(name, 'a sparse file in GNU format 0.0, whose map a PAX reader cannot keep');
  }
  return null;
}

function checkMap(name: string, map: Array<[number, number]>, realSize: number): void {
  let end = 0;
  for (const [offset, length] of map) {
    if (offset < end || offset + length > realSize) throw refuse(name, 'a sparse file whose map overlaps or runs past its size');
    end = offset + length;
  }
}

/** Where the segments of a sparse entry go, in increasing offset order. */
export interface SparseSink {
  write(data: Buffer, position: number): void;
  end(realSize: number): void;
}

/**
 * Writes the entry's segments at their offsets into `fd` and extends it to
 * the real size with ftruncate(2), which leaves the holes as holes.
 */
export function writeSparse(fd: number, stream: Readable, info: SparseInfo, maxBytes: number): Promise<void> {
  return readSparse(stream, info, maxBytes, {
    write: (data, position) => {
      let written = 0;
      while (written < data.length) written += fs.writeSync(fd, data, written, data.length - written, position + written);
    },
    end: (realSize) => fs.ftruncateSync(fd, realSize),
  });
}

/** The file's whole content, holes as zeros, into a hash (system check compares it with the unpacked file). */
export function hashSparse(stream: Readable, info: SparseInfo, maxBytes: number, hash: { update(b: Buffer): void }): Promise<void> {
  const zeros = Buffer.alloc(1 << 20);
  let at = 0;
  const fill = (to: number): void => {
    while (at < to) {
      const n = Math.min(zeros.length, to - at);
      hash.update(zeros.subarray(0, n));
      at += n;
    }
  };
  return readSparse(stream, info, maxBytes, {
    write: (data, position) => {
      fill(position);
      hash.update(data);
      at += data.length;
    },
    end: (realSize) => fill(realSize),
  });
}

function readSparse(stream: Readable, info: SparseInfo, maxBytes: number, sink: SparseSink): Promise<void> {
  return new Promise((resolve, reject) => {
    let map = info.map;
    let mapText = '';
    let skip = 0;
    let seg = 0;
    let segDone = 0;
    let failed = false;
    // A bad map fails the entry, but only once its data is drained, so the
    // tar parser is never left mid-entry.
    let error: unknown;
    try {
      if (info.realSize > maxBytes) throw tooLarge(`sparse file ${JSON.stringify(info.name)} claims ${info.realSize} bytes, more than ${maxBytes}`);
      if (map) checkMap(info.name, map, info.realSize);
    } catch (err) {
      error = err;
    }

    /** Format 1.0: parses the leading map once its numbers are all in; returns the bytes it used, or -1 for more. */
    const takeMap = (chunk: Buffer): number => {
      const room = 64 * 1024 - mapText.length;
      const part = chunk.subarray(0, Math.max(0, room)).toString('latin1');
      const text = mapText + part;
      const lines = text.split('\n');
      const complete = lines.slice(0, -1);
      const count = complete.length > 0 ? wholeNumber(complete[0], info.name, 'map') : -1;
      if (count > MAX_SEGMENTS) throw refuse(info.name, 'a sparse file with too many segments');
      if (count < 0 || complete.length < 1 + 2 * count) {
        if (part.length < chunk.length || text.length >= 64 * 1024) throw refuse(info.name, 'a sparse file whose map does not fit in 64 KiB');
        mapText = text;
        return -1;
      }
      const used = complete.slice(0, 1 + 2 * count).reduce((n, l) => n + l.length + 1, 0);
      const m: Array<[number, number]> = [];
      for (let i = 0; i < count; i++) m.push([wholeNumber(complete[1 + 2 * i], info.name, 'map'), wholeNumber(complete[2 + 2 * i], info.name, 'map')]);
      checkMap(info.name, m, info.realSize);
      map = m;
      // The map is padded to a whole 512-byte block.
      const padded = Math.ceil(used / 512) * 512;
      const usedHere = used - mapText.length;
      skip = padded - used;
      return usedHere;
    };

    const take = (chunk: Buffer): void => {
      let off = 0;
      if (!map) {
        const used = takeMap(chunk);
        if (used < 0) return;
        off = used;
      }
      if (skip > 0) {
        const n = Math.min(skip, chunk.length - off);
        skip -= n;
        off += n;
      }
      const segments = map as Array<[number, number]>;
      while (off < chunk.length) {
        while (seg < segments.length && segDone === (segments[seg] as [number, number])[1]) {
          seg++;
          segDone = 0;
        }
        if (seg >= segments.length) throw refuse(info.name, 'a sparse file with more data than its map describes');
        const [offset, length] = segments[seg] as [number, number];
        const n = Math.min(length - segDone, chunk.length - off);
        if (n > 0) sink.write(chunk.subarray(off, off + n), offset + segDone);
        segDone += n;
        off += n;
      }
    };

    stream.on('data', (chunk: Buffer) => {
      if (error !== undefined || failed) return;
      try {
        take(chunk);
      } catch (err) {
        error = err;
      }
    });
    stream.on('error', (err) => {
      failed = true;
      reject(err);
    });
    stream.on('end', () => {
      if (failed) return;
      if (error !== undefined) {
        reject(error);
        return;
      }
      try {
        const segments = map ?? [];
        const wanted = segments.reduce((n, [, length]) => n + length, 0);
        const got = segments.slice(0, seg).reduce((n, [, length]) => n + length, 0) + segDone;
        if (!map || got !== wanted) throw refuse(info.name, `a truncated sparse file (${got} of ${wanted} data bytes${map ? '' : ', map incomplete'})`);
        sink.end(info.realSize);
        resolve();
      } catch (err) {
        reject(err);
      }
    });
  });
}
