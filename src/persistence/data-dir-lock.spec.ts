import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { waitFor } from '../../test/utils/wait-for';
import { DATA_DIR_LOCK_FILE, DataDirInUseError, DataDirLock } from './data-dir-lock';

const RECHECK_MS = 20;

describe('DataDirLock', () => {
  let dir: string;
  let lockFile: string;
  const held: DataDirLock[] = [];
  const children: ChildProcess[] = [];

  const acquire = (onLost: (reason: string) => void = () => undefined): DataDirLock => {
    const lock = DataDirLock.acquire(dir, onLost, RECHECK_MS);
    held.push(lock);
    return lock;
  };
  const holderPid = (): number => (JSON.parse(readFileSync(lockFile, 'utf8')) as { pid: number }).pid;
  const otherProcess = async (): Promise<ChildProcess> => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    children.push(child);
    await new Promise((resolve) => child.once('spawn', resolve));
    return child;
  };
  /** The process's start time as the lock records it (Linux). */
  const startTicksOf = (pid: number): string => {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  };
  const bootId = (): string => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  const onLinux = process.platform === 'linux' ? it : it.skip;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'data-dir-lock-'));
    lockFile = path.join(dir, DATA_DIR_LOCK_FILE);
  });

  afterEach(() => {
    held.splice(0).forEach((lock) => lock.release());
    children.splice(0).forEach((child) => child.kill('SIGKILL'));
    rmSync(dir, { recursive: true, force: true });
  });

  it('should write a file naming this process, and remove it on release', () => {
    const lock = acquire();
    expect(holderPid()).toBe(process.pid);
    lock.release();
    expect(existsSync(lockFile)).toBe(false);
    expect(() => acquire().release()).not.toThrow();
  });

  it('should refuse a directory another live process holds, naming it, and leave its file alone', async () => {
    const other = await otherProcess();
    const content = JSON.stringify({ pid: other.pid, since: '2026-12-05T00:00:00.000Z' });
    writeFileSync(lockFile, content);
    expect(() => acquire()).toThrow(DataDirInUseError);
    expect(() => acquire()).toThrow(new RegExp(`DATA_DIR .* is in use by process ${other.pid} .*another DATA_DIR`));
    expect(readFileSync(lockFile, 'utf8')).toBe(content);
    // The look before starting says the same, and takes nothing.
    expect(DataDirLock.inUseBy(dir)).toMatch(new RegExp(`DATA_DIR .* is in use by process ${other.pid} `));
    expect(readFileSync(lockFile, 'utf8')).toBe(content);
  });

  it('should find nobody holding a directory that is free, stale or not there yet', () => {
    expect(DataDirLock.inUseBy(dir)).toBeUndefined();
    writeFileSync(lockFile, JSON.stringify({ pid: 0, since: 'unknown' }));
    expect(DataDirLock.inUseBy(dir)).toBeUndefined();
    expect(DataDirLock.inUseBy(path.join(dir, 'not-there'))).toBeUndefined();
  });

  onLinux(
    'should refuse a live holder whose start time matches, and take over a pid that is now another process',
    async () => {
      const other = await otherProcess();
      const holder = { pid: other.pid, since: 'then', bootId: bootId() };
      writeFileSync(lockFile, JSON.stringify({ ...holder, startTicks: startTicksOf(other.pid!) }));
      expect(() => acquire()).toThrow(DataDirInUseError);
      // The same pid, but not the process that wrote the file (it started at another time, or before a reboot).
      writeFileSync(lockFile, JSON.stringify({ ...holder, startTicks: '1' }));
      acquire();
      expect(holderPid()).toBe(process.pid);
    },
  );

  it('should take over the file of a process that is gone, and a file it cannot read', async () => {
    const gone = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    await new Promise((resolve) => gone.once('exit', resolve));
    writeFileSync(lockFile, JSON.stringify({ pid: gone.pid, since: 'then' }));
    acquire().release();
    writeFileSync(lockFile, 'not json');
    acquire();
    expect(holderPid()).toBe(process.pid);
  });

  it('should refuse a second hold in this process until the first is released, and take over its own pid left by another process', () => {
    const first = acquire();
    expect(() => acquire()).toThrow(/is in use by this process/);
    first.release();
    // An earlier process with this pid (a container restarted) left its file: stale.
    writeFileSync(lockFile, JSON.stringify({ pid: process.pid, since: 'before' }));
    acquire();
    expect(JSON.parse(readFileSync(lockFile, 'utf8'))).toMatchObject({ pid: process.pid });
  });

  it('should write its file again when only the file was deleted, and call onLost when the directory goes', async () => {
    const lost: string[] = [];
    acquire((reason) => lost.push(reason));
    unlinkSync(lockFile);
    await waitFor('the lock file to be written again', () => Promise.resolve(existsSync(lockFile)));
    expect(holderPid()).toBe(process.pid);
    expect(lost).toEqual([]);

    // Deleted and made again (a clone removed and cloned anew under a running service).
    rmSync(dir, { recursive: true });
    mkdirSync(dir);
    await waitFor('onLost', () => Promise.resolve(lost.length > 0));
    expect(lost).toEqual([`the data directory ${dir} was deleted and made again`]);
    // Released: the new directory's lock is not touched, and another process may take it.
    expect(existsSync(lockFile)).toBe(false);
  });

  it('should call onLost once when another process takes the file over', async () => {
    const lost: string[] = [];
    acquire((reason) => lost.push(reason));
    const other = await otherProcess();
    writeFileSync(lockFile, JSON.stringify({ pid: other.pid, since: 'now' }));
    await waitFor('onLost', () => Promise.resolve(lost.length > 0));
    await new Promise((resolve) => setTimeout(resolve, RECHECK_MS * 5));
    expect(lost).toEqual([`${lockFile} now names process ${other.pid}`]);
    // Its file stays: it is the other process's.
    expect(holderPid()).toBe(other.pid);
  });
});
