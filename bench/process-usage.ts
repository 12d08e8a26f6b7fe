import { readFileSync, readdirSync } from 'node:fs';

// Linux's USER_HZ: /proc/<pid>/stat counts CPU time in ticks of 10 ms.
const CLOCK_TICKS = 100;

/** A process's resident memory now (VmRSS of /proc/<pid>/status), in MB. */
export function rssMb(pid: number): number {
  return statusMb(pid, 'VmRSS');
}

/** The most resident memory the process has had so far (VmHWM), in MB. */
export function peakRssMb(pid: number): number {
  return statusMb(pid, 'VmHWM');
}

/** The user + system CPU seconds the process has used so far. */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime and stime are fields 14 and 15 of /proc/pid/stat (11 and 12 after the command name).
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/**
 * User + system CPU seconds so far of every PostgreSQL process on this machine (backends, WAL writer,
 * checkpointer: what durability costs too), by pid.
 */
export function postgresCpuSeconds(): Map<number, number> {
  const seconds = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') {
        seconds.set(Number(entry), cpuSeconds(Number(entry)));
      }
    } catch {
      // A process that ended meanwhile.
    }
  }
  return seconds;
}

/** CPU seconds spent between two readings by the processes alive at the second (a new one: all of its own). */
export function cpuSpent(before: Map<number, number>, after: Map<number, number>): number {
  let spent = 0;
  for (const [pid, seconds] of after) {
    spent += seconds - (before.get(pid) ?? 0);
  }
  return spent;
}

function statusMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) / 1024;
}
