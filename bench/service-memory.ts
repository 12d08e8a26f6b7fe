import { readFileSync, readlinkSync } from 'node:fs';
import type { BenchResult } from './bench-result';

/** What holds a service process's resident memory, in MB (1 MB = 2^20 bytes). */
export interface ServiceMemorySplit {
  rss: number;
  /** The V8 heap of the main thread as allocated (committed), and the part of it in use. */
  v8HeapTotal: number;
  v8HeapUsed: number;
  /** PGlite's WebAssembly linear memory, the pages of it that are resident. */
  pgliteWasm: number;
  /** The node executable's own pages (its code and read-only data, mapped from the file). */
  nodeExecutable: number;
}

const MB = 1024 * 1024;
/** PGlite's module declares its memory with a minimum of 2048 pages of 64 KiB (128 MiB). */
const PGLITE_MEMORY_MIN_KB = 128 * 1024;

/**
 * Reads /proc/<pid>/smaps and the service's /metrics (prom-client's default Node.js metrics). V8 maps
 * a WebAssembly memory as one anonymous read-write mapping of the memory's current size (its guard
 * region is a separate, inaccessible mapping), and no other anonymous mapping of the service reaches
 * 128 MiB (glibc's arenas stop at 64 MiB, V8's heap pages at 256 KiB), so those are PGlite's.
 */
export async function serviceMemorySplit(pid: number, baseUrl: string): Promise<ServiceMemorySplit> {
  let rssKb = 0;
  let pgliteKb = 0;
  let executableKb = 0;
  let mapping: { sizeKb: number; anonymousReadWrite: boolean; executable: boolean } | undefined;
  const executable = readlinkSync(`/proc/${pid}/exe`);
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const header = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (header) {
      mapping = {
        sizeKb: (parseInt(header[2], 16) - parseInt(header[1], 16)) / 1024,
        anonymousReadWrite: header[3].startsWith('rw') && header[4] === '',
        executable: header[4] === executable,
      };
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss && mapping) {
      const kb = Number(rss[1]);
      rssKb += kb;
      if (mapping.anonymousReadWrite && mapping.sizeKb >= PGLITE_MEMORY_MIN_KB) {
        pgliteKb += kb;
      }
      if (mapping.executable) {
        executableKb += kb;
      }
    }
  }
  const metrics = await (await fetch(`${baseUrl}/metrics`)).text();
  const metric = (name: string) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(metrics)?.[1] ?? Number.NaN);
  return {
    rss: rssKb / 1024,
    v8HeapTotal: metric('nodejs_heap_size_total_bytes') / MB,
    v8HeapUsed: metric('nodejs_heap_size_used_bytes') / MB,
    pgliteWasm: pgliteKb / 1024,
    nodeExecutable: executableKb / 1024,
  };
}

/** One line for each part of the RSS; `when` says at what moment, of which service ("after the campaign, PGlite"). */
export function memorySplitLines(split: ServiceMemorySplit, when: string): BenchResult[] {
  const line = (part: string, mb: number): BenchResult => ({
    name: `of the service's ${Math.round(split.rss)} MB RSS ${when}: ${part}`,
    value: Math.round(mb),
    unit: 'MB',
    target: '-',
  });
  return [
    line("PGlite's wasm memory (resident pages)", split.pgliteWasm),
    line(`the V8 heap, allocated (${Math.round(split.v8HeapUsed)} MB in use)`, split.v8HeapTotal),
    line('the node executable (code, read-only data)', split.nodeExecutable),
    line(
      "the rest (malloc: compiled wasm and its metadata, buffers; JIT code; Prisma's query compiler memory; the PGlite thread's V8 heap)",
      split.rss - split.pgliteWasm - split.v8HeapTotal - split.nodeExecutable,
    ),
  ];
}
