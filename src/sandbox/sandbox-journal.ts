import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { SandboxAccount } from './sandbox-accounts';
import { SandboxBatch, SandboxMessage, SandboxMessageStatus } from './sandbox-message';
import { OutcomeStatus } from './sandbox.options';

// A restarted sandbox keeps what it accepted in the last three days (the service stops waiting for a
// report after its receipt window, 24 h by default); older batches are dropped when the journal is read.
const KEEP_MS = 3 * 24 * 3_600_000;

/** One accepted message: what its replay needs (its country and network as ISO and index). */
export interface JournalMessage {
  uuid: string;
  to: string;
  iso: string;
  network: number;
  plan: { status: OutcomeStatus; errorCode: string | null };
  nth: number;
  lane: string;
  reorder: boolean;
  noReceipt: boolean;
  /** When it leaves Plivo's queue, or null when it expires there. */
  sendAt: number | null;
}

/** One accepted request, written before the sandbox answers it: its batch (without its index) and messages. */
export interface JournalBatch extends Omit<SandboxBatch, 'index'> {
  kind: 'batch';
  at: number;
  invalidNumbers: string[];
  messages: JournalMessage[];
}

/** A message that reached its final status. */
export interface JournalFinal {
  kind: 'final';
  uuid: string;
  status: SandboxMessageStatus;
  errorCode: string | null;
  at: number;
  sentAt: number | null;
  charged: boolean;
  sequence: number;
  /** Its last callback was answered (or given up on): a restart does not send it again. */
  answered?: boolean;
}

/** A message's last callback was answered 2xx, or given up on after Plivo's retries. */
export interface JournalAnswered {
  kind: 'answered';
  uuid: string;
}

export interface JournalSubaccount {
  kind: 'subaccount';
  authId: string;
  authToken: string;
  name: string | null;
  enabled: boolean;
  createdAt: number;
}

type JournalLine = JournalBatch | JournalFinal | JournalAnswered | JournalSubaccount;

/** What a sandbox started on an existing journal takes over. */
export interface JournalState {
  subaccounts: JournalSubaccount[];
  batches: JournalBatch[];
  finals: Map<string, JournalFinal>;
  /** Messages whose last callback was answered. */
  answered: Set<string>;
  /** Lines that could not be read (a write cut short by a crash). */
  unreadable: number;
}

/** The sandbox's own credentials, kept beside the journal so a restart answers to the same ones. */
export interface JournalCredentials {
  authId: string;
  authToken: string;
}

/**
 * The in-process sandbox's memory on disk (`DATA_DIR/sandbox/`), so that a service restarted in the
 * middle of a campaign finds the Plivo it left, as it would find the real one: the same credentials and
 * sub-accounts, every message it accepted, and the lives of those not yet final going on from where they
 * were, and the last callbacks that had no answer sent again (as Plivo retries them). An NDJSON file: an
 * accepted request is written before the sandbox answers it; a final status, and the answer to its
 * callback, are buffered and written within the event loop's turn (a crash can lose that turn's: those
 * messages then finish, or are reported, again after the restart, which the service takes as duplicates).
 *
 * Written here rather than taken from a library: it is an append-only file of four kinds of line, read
 * once at start.
 */
export class SandboxJournal {
  private fd: number;
  private buffered: string[] = [];
  private flushScheduled = false;
  private closed = false;

  private constructor(
    private readonly file: string,
    private subaccounts: JournalSubaccount[],
  ) {
    this.fd = openSync(file, 'a', 0o600);
  }

  /** Reads (and compacts) the journal in `dir`, creating both if missing. */
  static open(dir: string, now: number): { journal: SandboxJournal; state: JournalState } | null {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!takeLock(path.join(dir, 'journal.lock'))) {
      return null;
    }
    const file = path.join(dir, 'journal.ndjson');
    const state = readJournal(file, now - KEEP_MS);
    const kept: string[] = [
      ...state.subaccounts.map(line),
      ...state.batches.flatMap((batch) => [
        line(batch),
        ...batch.messages.flatMap((m) => {
          const final = state.finals.get(m.uuid);
          return final ? [line(state.answered.has(m.uuid) ? { ...final, answered: true } : final)] : [];
        }),
      ]),
    ];
    const compacted = `${file}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(compacted, kept.join(''), { mode: 0o600 });
    renameSync(compacted, file);
    return { journal: new SandboxJournal(file, state.subaccounts), state };
  }

  /** The credentials stored in `dir`, or `fallback` stored there for the next start. */
  static credentials(dir: string, fallback: JournalCredentials): JournalCredentials {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = path.join(dir, 'account.json');
    if (existsSync(file)) {
      const stored = JSON.parse(readFileSync(file, 'utf8')) as Partial<JournalCredentials>;
      if (typeof stored.authId === 'string' && typeof stored.authToken === 'string') {
        return { authId: stored.authId, authToken: stored.authToken };
      }
    }
    writeFileSync(file, JSON.stringify({ authId: fallback.authId, authToken: fallback.authToken }), { mode: 0o600 });
    return fallback;
  }

  /** Written at once: the request is answered after this returns. */
  batch(
    batch: SandboxBatch,
    at: number,
    invalidNumbers: string[],
    messages: SandboxMessage[],
    sendAts: Array<number | null>,
  ): void {
    const { index: _index, ...fields } = batch;
    const entry: JournalBatch = {
      kind: 'batch',
      ...fields,
      at,
      invalidNumbers,
      messages: messages.map((m, i) => ({
        uuid: m.uuid,
        to: m.to,
        iso: m.country.iso,
        network: Math.max(0, m.country.networks.indexOf(m.network)),
        plan: m.plan,
        nth: m.nth,
        lane: m.lane,
        reorder: m.reorder,
        noReceipt: m.noReceipt,
        sendAt: sendAts[i],
      })),
    };
    this.buffered.push(line(entry));
    this.flush();
  }

  final(message: SandboxMessage): void {
    const entry: JournalFinal = {
      kind: 'final',
      uuid: message.uuid,
      status: message.status,
      errorCode: message.errorCode,
      at: message.finalAt ?? Date.now(),
      sentAt: message.sentAt,
      charged: message.charged,
      sequence: message.sequence,
    };
    this.buffer(entry);
  }

  acknowledged(uuid: string): void {
    this.buffer({ kind: 'answered', uuid });
  }

  subaccount(account: SandboxAccount): void {
    const { isSubaccount: _isSubaccount, ...fields } = account;
    const entry: JournalSubaccount = { kind: 'subaccount', ...fields };
    this.subaccounts.push(entry);
    this.buffered.push(line(entry));
    this.flush();
  }

  /** The sandbox was reset: its messages are forgotten, its sub-accounts kept. */
  reset(): void {
    this.buffered = [];
    closeSync(this.fd);
    writeFileSync(this.file, this.subaccounts.map(line).join(''), { mode: 0o600 });
    this.fd = openSync(this.file, 'a', 0o600);
  }

  private buffer(entry: JournalLine): void {
    this.buffered.push(line(entry));
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.flushScheduled = false;
    if (this.closed || this.buffered.length === 0) {
      return;
    }
    const text = this.buffered.join('');
    this.buffered = [];
    writeSync(this.fd, text);
  }

  close(): void {
    if (this.closed) {
      return;
    }
    this.flush();
    this.closed = true;
    closeSync(this.fd);
    const lockFile = path.join(path.dirname(this.file), 'journal.lock');
    rmSync(lockFile, { force: true });
    locksHeld.delete(lockFile);
  }
}

/**
 * One sandbox per journal: a second service on the same DATA_DIR (refused later by the DATA_DIR lock
 * on the embedded database, or several instances on one PostgreSQL) once compacted the journal under
 * the first one, whose writes then went to the replaced file. A lock left by a process that is gone
 * is taken over.
 */
const locksHeld = new Set<string>();

function takeLock(lockFile: string): boolean {
  if (locksHeld.has(lockFile)) {
    return false;
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockFile, String(process.pid), { flag: 'wx', mode: 0o600 });
      locksHeld.add(lockFile);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw error;
      }
      // Our own pid in a lock this process does not hold is a previous run's (a container restarts as pid 1).
      const owner = Number(readFileSync(lockFile, 'utf8'));
      if (owner !== process.pid && isAlive(owner)) {
        return false;
      }
      rmSync(lockFile, { force: true });
    }
  }
  return false;
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) {
    return false;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// Lines are kept short (about 250 bytes a message in all): a message in a batch, a final status and an
// answer are arrays, the batch and sub-account lines objects.
type MessageRow = [
  string,
  string,
  string,
  number,
  OutcomeStatus,
  string | null,
  number,
  string,
  0 | 1,
  0 | 1,
  number | null,
];
type FinalRow = ['f', string, SandboxMessageStatus, string | null, number, number | null, 0 | 1, number, 0 | 1];

function line(entry: JournalLine): string {
  switch (entry.kind) {
    case 'batch': {
      const messages: MessageRow[] = entry.messages.map((m) => [
        m.uuid,
        m.to,
        m.iso,
        m.network,
        m.plan.status,
        m.plan.errorCode,
        m.nth,
        m.lane,
        m.reorder ? 1 : 0,
        m.noReceipt ? 1 : 0,
        m.sendAt,
      ]);
      return `${JSON.stringify({ ...entry, messages })}\n`;
    }
    case 'final': {
      const row: FinalRow = [
        'f',
        entry.uuid,
        entry.status,
        entry.errorCode,
        entry.at,
        entry.sentAt,
        entry.charged ? 1 : 0,
        entry.sequence,
        entry.answered ? 1 : 0,
      ];
      return `${JSON.stringify(row)}\n`;
    }
    case 'answered':
      return `${JSON.stringify(['a', entry.uuid])}\n`;
    case 'subaccount':
      return `${JSON.stringify(entry)}\n`;
  }
}

function decode(parsed: unknown): JournalLine | undefined {
  if (Array.isArray(parsed)) {
    if (parsed[0] === 'a' && typeof parsed[1] === 'string') {
      return { kind: 'answered', uuid: parsed[1] };
    }
    if (parsed[0] === 'f' && parsed.length === 9) {
      const [, uuid, status, errorCode, at, sentAt, charged, sequence, answered] = parsed as FinalRow;
      return {
        kind: 'final',
        uuid,
        status,
        errorCode,
        at,
        sentAt,
        charged: charged === 1,
        sequence,
        answered: answered === 1,
      };
    }
    return undefined;
  }
  const entry = parsed as { kind?: unknown; messages?: unknown };
  if (entry?.kind === 'batch' && Array.isArray(entry.messages)) {
    const messages = (entry.messages as MessageRow[]).map(
      ([uuid, to, iso, network, status, errorCode, nth, lane, reorder, noReceipt, sendAt]): JournalMessage => ({
        uuid,
        to,
        iso,
        network,
        plan: { status, errorCode },
        nth,
        lane,
        reorder: reorder === 1,
        noReceipt: noReceipt === 1,
        sendAt,
      }),
    );
    return { ...(parsed as JournalBatch), messages };
  }
  return entry?.kind === 'subaccount' ? (parsed as JournalSubaccount) : undefined;
}

function readJournal(file: string, keepSince: number): JournalState {
  const state: JournalState = { subaccounts: [], batches: [], finals: new Map(), answered: new Set(), unreadable: 0 };
  if (!existsSync(file)) {
    return state;
  }
  const kept = new Set<string>();
  for (const text of readFileSync(file, 'utf8').split('\n')) {
    if (text === '') {
      continue;
    }
    let entry: JournalLine | undefined;
    try {
      entry = decode(JSON.parse(text));
    } catch {
      entry = undefined;
    }
    if (!entry) {
      state.unreadable++;
      continue;
    }
    if (entry.kind === 'subaccount') {
      state.subaccounts.push(entry);
    } else if (entry.kind === 'batch') {
      if (entry.at >= keepSince) {
        state.batches.push(entry);
        entry.messages.forEach((m) => kept.add(m.uuid));
      }
    } else if (entry.kind === 'final') {
      if (kept.has(entry.uuid)) {
        state.finals.set(entry.uuid, entry);
      }
    } else if (entry.kind === 'answered') {
      if (kept.has(entry.uuid)) {
        state.answered.add(entry.uuid);
      }
    } else {
      state.unreadable++;
    }
  }
  return state;
}
