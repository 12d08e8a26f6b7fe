import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as plivo from 'plivo';
import { PlivoSandbox } from '../../../src/sandbox/sandbox';
import { CallbackReceiver, plivoClient, startSandbox } from '../../utils/sandbox';
import { scaledTimeout } from '../../utils/time-factor';
import { waitFor } from '../../utils/wait-for';

const SRC = '+14155550100';
const NUMBERS = Array.from({ length: 20 }, (_, i) => `+4477009${String(i).padStart(5, '0')}`);
// One message leaves the queue every 200 ms (0.005 MPS on a clock a thousand times fast): 4 s for
// the 20, so the sandbox stops with some final and the rest still queued.
const OPTIONS = { mps: 0.005, outcomes: { delivered: 1, undelivered: 0, failed: 0, rejected: 0 } };
const FINAL = new Set(['delivered', 'undelivered', 'failed', 'rejected']);

describe('PlivoSandbox started again on its journal (the in-process sandbox across service restarts)', () => {
  let stateDir: string;
  let receiver: CallbackReceiver;
  const started: PlivoSandbox[] = [];

  beforeEach(async () => {
    stateDir = mkdtempSync(path.join(tmpdir(), 'sandbox-state-'));
    receiver = await new CallbackReceiver().start();
  });

  afterEach(async () => {
    await Promise.all(started.splice(0).map((s) => s.stop()));
    await receiver.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  async function start(): Promise<PlivoSandbox> {
    const sandbox = await startSandbox(OPTIONS, { stateDir });
    started.push(sandbox);
    return sandbox;
  }

  it('should answer to the same credentials and sub-accounts, and finish what it had accepted, each number once', async () => {
    const first = await start();
    const tenant = first.createSubaccount('tenant');
    const sent = await plivoClient(first).messages.create(SRC, NUMBERS.join('<'), 'Hello', {
      url: receiver.url('/dlr'),
      method: 'POST',
    });
    // Written before the answer: the request's line is in the journal already.
    expect(readFileSync(path.join(stateDir, 'journal.ndjson'), 'utf8')).toContain(sent.apiId);
    await waitFor('a few messages delivered', () => Promise.resolve(first.records.statusCounts().delivered >= 3));
    await first.stop();
    const finalBefore = new Map(
      sent.messageUuid.map((uuid: string) => [uuid, first.records.message(uuid)!.status] as const),
    );
    const doneBefore = [...finalBefore.values()].filter((status) => FINAL.has(status)).length;
    expect(doneBefore).toBeGreaterThanOrEqual(3);
    expect(doneBefore).toBeLessThan(NUMBERS.length);
    const callbacksBefore = receiver.received.length;
    // The journal's answer lines (`["a", uuid]`): final callbacks the receiver answered before the stop.
    const answeredBefore = new Set(
      readFileSync(path.join(stateDir, 'journal.ndjson'), 'utf8')
        .split('\n')
        .filter((text) => text.startsWith('["a",'))
        .map((text) => (JSON.parse(text) as [string, string])[1]),
    );
    expect(answeredBefore.size).toBeGreaterThan(0);
    // Down for a while: messages fall due meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 1000));

    const second = await start();
    const restartedAt = Date.now();
    expect([second.authId, second.authToken]).toEqual([first.authId, first.authToken]);
    expect(second.accounts.subaccount(tenant.authId)?.authToken).toBe(tenant.authToken);
    expect(second.records.messageCount).toBe(NUMBERS.length);
    // Its records answer at once, through the SDK, with the status each message ended with.
    const client = plivoClient(second);
    const firstUuid = sent.messageUuid[0];
    const record = (await client.messages.get(firstUuid)) as unknown as { messageState: string };
    expect(record.messageState).toBe(finalBefore.get(firstUuid));

    second.resumeRestored();
    await waitFor('every message final', () =>
      Promise.resolve(sent.messageUuid.every((uuid: string) => FINAL.has(second.records.message(uuid)!.status))),
    );
    await second.whenIdle(scaledTimeout(30_000));

    const after = receiver.received.slice(callbacksBefore);
    for (const uuid of sent.messageUuid) {
      const finals = after.filter((c) => c.params.MessageUUID === uuid && FINAL.has(c.params.Status));
      // Every message not final at the stop is reported once; one that was final is reported again only
      // if its last callback had not been answered (in flight at the stop), as Plivo retries it.
      const expected = !FINAL.has(finalBefore.get(uuid)!) || !answeredBefore.has(uuid) ? 1 : 0;
      expect([uuid, finals.length]).toEqual([uuid, expected]);
    }
    // What fell due while it was down is stamped with the time it was due, not with the restart's.
    const sentTimes = after
      .filter((c) => c.params.Status === 'sent')
      .map((c) => Date.parse(`${c.params.SentTime.replace(' ', 'T').slice(0, 23)}Z`));
    expect(Math.min(...sentTimes)).toBeLessThan(restartedAt);
    expect(second.records.duplicates()).toEqual([]);
    expect(NUMBERS.every((n) => second.records.timesSubmitted(n) === 1)).toBe(true);
    // The sub-account's own credentials work on the restarted sandbox.
    const sub = new plivo.Client(tenant.authId, tenant.authToken, { url: second.apiUrl + tenant.authId });
    await expect(sub.messages.create(SRC, '+447700900999', 'From the tenant')).resolves.toBeDefined();
  });

  it('should leave the journal to the sandbox that holds it: a second one on the same directory keeps nothing', async () => {
    const first = await start();
    await plivoClient(first).messages.create(SRC, NUMBERS.slice(0, 2).join('<'), 'Hello');
    const second = await start();
    expect(second.records.messageCount).toBe(0);
    expect(second.authId).toBe(first.authId);
    await plivoClient(first).messages.create(SRC, NUMBERS.slice(2, 4).join('<'), 'Hello');
    await second.stop();
    await first.stop();
    // The first one's journal is whole: a sandbox started after both stopped takes over its four messages.
    const third = await start();
    expect(third.records.messageCount).toBe(4);
  });

  it('should start on a journal whose last line a crash cut short, and forget messages on reset but keep sub-accounts', async () => {
    const first = await start();
    const tenant = first.createSubaccount('tenant');
    await plivoClient(first).messages.create(SRC, NUMBERS.slice(0, 3).join('<'), 'Hello');
    await first.stop();
    appendFileSync(path.join(stateDir, 'journal.ndjson'), '{"kind":"final","uuid":"cut-sh');

    const second = await start();
    expect(second.records.messageCount).toBe(3);
    second.reset();
    await second.stop();

    const third = await start();
    expect(third.records.messageCount).toBe(0);
    expect(third.accounts.subaccount(tenant.authId)).toBeDefined();
  });
});
