import {
  closeSync,
  fsyncSync,
  linkSync,
  openSync,
  readFileSync,
  realpathSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';

/** The file in DATA_DIR that names the process holding the embedded database (PostgreSQL's postmaster.pid). */
export const DATA_DIR_LOCK_FILE = 'service.pid';
/** How often the holder checks that the file and the directory are still its own. */
export const DATA_DIR_LOCK_RECHECK_MS = 1_000;

/** What the lock file holds: enough to tell a live holder from a process that merely got its pid again. */
interface LockHolder {
  pid: number;
  since: string;
  /** Linux: the kernel's boot id and the process's start time in clock ticks since boot (/proc). */
  bootId?: string;
  startTicks?: string;
}

/** Another live process (or this one) has the data directory open. */
export class DataDirInUseError extends Error {}

/** Lock paths this process holds now: a second open in the same process is refused too. */
const heldHere = new Set<string>();

/**
 * An exclusive hold on DATA_DIR for the embedded database. PGlite takes no lock of its own: two processes
 * opening one directory both succeed, both write its files, and the directory ends up unreadable (the next
 * open dies with PGlite's "RuntimeError: Aborted()"; electric-sql/pglite#1106). PostgreSQL prevents this
 * with postmaster.pid, and this does the same: a file created exclusively naming the holder, a stale one
 * (its process gone, or its pid now another process's) taken over, and a recheck every second, as
 * PostgreSQL's postmaster does, so a holder whose directory was deleted or taken over stops instead of
 * writing into another instance's files (PGlite opens files by path).
 *
 * Written here rather than with proper-lockfile: that library tells a stale lock by its age, so a holder
 * must touch it on a timer and a restart after a crash waits out the stale period, where a pid check
 * answers at once.
 */
export class DataDirLock {
  private recheck?: NodeJS.Timeout;

  private constructor(
    private readonly lockPath: string,
    private readonly dataDir: string,
    private readonly holder: LockHolder,
    private readonly directoryId: string,
  ) {}

  /**
   * Takes the lock on `dataDir` (which must exist) or throws DataDirInUseError naming the holder.
   * `onLost` is called, once, when the directory or the file is no longer this process's.
   */
  static acquire(dataDir: string, onLost: (reason: string) => void, recheckMs = DATA_DIR_LOCK_RECHECK_MS): DataDirLock {
    const dir = realpathSync(dataDir);
    const lockPath = path.join(dir, DATA_DIR_LOCK_FILE);
    const holder = thisProcess();
    for (let attempt = 0; ; attempt++) {
      if (createExclusively(lockPath, holder)) {
        break;
      }
      const current = readHolder(lockPath);
      if (current === undefined) {
        continue; // removed meanwhile
      }
      if (isAlive(current, lockPath)) {
        throw new DataDirInUseError(inUseMessage(dir, current));
      }
      if (attempt >= 3) {
        throw new DataDirInUseError(`Could not take the lock file ${lockPath}: it keeps changing`);
      }
      removeIfSame(lockPath, current);
    }
    heldHere.add(lockPath);
    const lock = new DataDirLock(lockPath, dir, holder, directoryIdOf(dir) ?? '');
    lock.recheck = setInterval(() => {
      const lost = lock.lostReason();
      if (lost !== undefined) {
        lock.release();
        onLost(lost);
      }
    }, recheckMs);
    lock.recheck.unref();
    return lock;
  }

  /**
   * Why `dataDir` cannot be taken now (another live process holds it), or undefined. A look only: the lock
   * is taken by `acquire`, which checks again. Lets the service refuse to start with one line before any
   * module starts (a refusal inside one comes with the framework's stack trace).
   */
  static inUseBy(dataDir: string): string | undefined {
    let dir: string;
    try {
      dir = realpathSync(dataDir);
    } catch {
      return undefined; // not there yet: nobody holds it
    }
    const lockPath = path.join(dir, DATA_DIR_LOCK_FILE);
    const current = readHolder(lockPath);
    return current !== undefined && isAlive(current, lockPath) ? inUseMessage(dir, current) : undefined;
  }

  /** Stops rechecking and removes the file when it still names this process. */
  release(): void {
    clearInterval(this.recheck);
    this.recheck = undefined;
    heldHere.delete(this.lockPath);
    const current = readHolder(this.lockPath);
    if (current && sameHolder(current, this.holder)) {
      removeIfSame(this.lockPath, current);
    }
  }

  /** Why the hold is lost, or undefined; a lock file deleted from our own directory is written again. */
  private lostReason(): string | undefined {
    const directoryId = directoryIdOf(this.dataDir);
    if (directoryId !== this.directoryId) {
      return `the data directory ${this.dataDir} was ${directoryId === undefined ? 'deleted' : 'deleted and made again'}`;
    }
    const current = readHolder(this.lockPath);
    if (current === undefined) {
      // Deleted by hand from a directory that is still ours: no other process can have opened it meanwhile
      // unless it made this file, so writing it again is safe.
      return createExclusively(this.lockPath, this.holder) ? undefined : this.lostReason();
    }
    if (!sameHolder(current, this.holder)) {
      return `${this.lockPath} now names process ${current.pid}`;
    }
    return undefined;
  }
}

function thisProcess(): LockHolder {
  return { pid: process.pid, since: new Date().toISOString(), ...linuxIdentity(process.pid) };
}

/** Linux only: the boot id and the process's start time, which together name one process for good. */
function linuxIdentity(pid: number): Pick<LockHolder, 'bootId' | 'startTicks'> {
  try {
    const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    // Field 22 of /proc/<pid>/stat; the command name (field 2) may hold spaces, so count after its ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const startTicks = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    return startTicks ? { bootId, startTicks } : {};
  } catch {
    return {};
  }
}

function createExclusively(lockPath: string, holder: LockHolder): boolean {
  // Written in full beside it, then linked into place: the lock file never exists half written.
  const draft = `${lockPath}.${process.pid}.draft`;
  const fd = openSync(draft, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(holder)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(draft, lockPath);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      return false;
    }
    throw error;
  } finally {
    unlinkSync(draft);
  }
}

function readHolder(lockPath: string): LockHolder | undefined {
  let text: string;
  try {
    text = readFileSync(lockPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }
    throw error;
  }
  try {
    const holder = JSON.parse(text) as LockHolder;
    if (Number.isInteger(holder.pid) && holder.pid > 0) {
      return holder;
    }
  } catch {
    // Not ours to read: treated as a holder that cannot be alive.
  }
  return { pid: 0, since: 'unknown' };
}

function isAlive(holder: LockHolder, lockPath: string): boolean {
  if (holder.pid === 0) {
    return false;
  }
  if (holder.pid === process.pid) {
    // Either this process opened the directory already, or an earlier process had our pid (a container
    // restarted): PostgreSQL treats its own pid in postmaster.pid as stale for the same reason.
    return heldHere.has(lockPath);
  }
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: alive, another user's.
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') {
      return false;
    }
  }
  if (holder.bootId === undefined || holder.startTicks === undefined) {
    return true;
  }
  const now = linuxIdentity(holder.pid);
  // Unreadable now (another OS, /proc hidden): the pid is alive, so it may be the holder.
  return now.bootId === undefined || (now.bootId === holder.bootId && now.startTicks === holder.startTicks);
}

function sameHolder(a: LockHolder, b: LockHolder): boolean {
  return a.pid === b.pid && a.since === b.since && a.startTicks === b.startTicks;
}

/** Removes the file only if it still holds what was read: another process may have taken it meanwhile. */
function removeIfSame(lockPath: string, expected: LockHolder): void {
  const current = readHolder(lockPath);
  if (current !== undefined && sameHolder(current, expected)) {
    try {
      unlinkSync(lockPath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw error;
      }
    }
  }
}

/** The directory's identity: a directory made again may get the same inode at once, not the same birth time. */
function directoryIdOf(dir: string): string | undefined {
  try {
    const stat = statSync(dir, { bigint: true });
    return `${stat.dev}:${stat.ino}:${stat.birthtimeNs}`;
  } catch {
    return undefined;
  }
}

function inUseMessage(dir: string, holder: LockHolder): string {
  const who = holder.pid === process.pid ? 'this process' : `process ${holder.pid}`;
  return (
    `DATA_DIR ${dir} is in use by ${who} (another instance of the service, since ${holder.since}). ` +
    'The embedded database cannot be opened by two processes at once: both would write its files and ' +
    'corrupt it. Stop the other instance, or give this one another DATA_DIR (or DATABASE_URL for a ' +
    `PostgreSQL server several instances can share). ${path.join(dir, DATA_DIR_LOCK_FILE)} names the holder.`
  );
}
