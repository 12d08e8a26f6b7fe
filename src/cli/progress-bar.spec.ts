import { formatMoney, ProgressReporter, ProgressSnapshot, renderProgressLine, renderTally } from './progress-bar';

function snapshot(overrides: Partial<ProgressSnapshot> = {}): ProgressSnapshot {
  return {
    campaignId: 'c1',
    status: 'SENDING',
    total: 10_000,
    pending: 1000,
    submitted: 2000,
    queued: 1000,
    sent: 1500,
    delivered: 4400,
    undelivered: 0,
    failed: 100,
    rejected: 0,
    unconfirmed: 0,
    suppressed: 0,
    cancelled: 0,
    cost: { amount: 15.75, currency: 'USD' },
    estimatedCompletionAt: null,
    updatedAt: '2030-01-01T12:00:00.000Z',
    ...overrides,
  };
}

describe(formatMoney.name, () => {
  it.each([
    [0, '0.00 USD'],
    [0.0035, '0.0035 USD'],
    [18.2, '18.20 USD'],
    [1234.56789, '1234.56789 USD'],
  ])('should format %p', (amount, expected) => {
    expect(formatMoney(amount, 'USD')).toBe(expected);
  });
});

describe(renderProgressLine.name, () => {
  it('should draw the share of recipients in a final status, the non-zero outcomes, cost and status', () => {
    expect(renderProgressLine(snapshot(), 20)).toBe(
      '[#########-----------]  45% 4,500/10,000 done · delivered 4,400 · failed 100 · 15.75 USD · SENDING',
    );
  });

  it('should show what waits for its window and what the brake holds, with the reason', () => {
    expect(
      renderProgressLine(
        snapshot({ waitingForWindow: 1200, heldByBrake: 300, statusReason: 'brake: IN: 60 % failed or undelivered' }),
        20,
      ),
    ).toBe(
      '[#########-----------]  45% 4,500/10,000 done · delivered 4,400 · failed 100 · 1,200 waiting for their window · ' +
        '300 held by the brake · 15.75 USD · SENDING · brake: IN: 60 % failed or undelivered',
    );
  });

  it('should show the estimated completion time and a full bar when done', () => {
    const line = renderProgressLine(
      snapshot({
        pending: 0,
        submitted: 0,
        queued: 0,
        sent: 0,
        delivered: 9900,
        estimatedCompletionAt: '2030-01-01T12:03:10.000Z',
      }),
      10,
      '█',
      '░',
    );
    expect(line).toBe(
      '[██████████] 100% 10,000/10,000 done · delivered 9,900 · failed 100 · 15.75 USD · SENDING · ETA 12:03:10Z',
    );
  });

  it('should say why a campaign is not moving (a pause, or a stall)', () => {
    const reason = 'stalled: no message changed state for 6 min; 120 waiting for delivery reports';

    expect(renderProgressLine(snapshot({ statusReason: reason }))).toMatch(/ · SENDING · stalled: no message changed/);
    expect(renderProgressLine(snapshot({ statusReason: null }))).not.toMatch(/stalled/);
  });

  it('should draw an empty bar for a campaign without recipients', () => {
    expect(renderProgressLine(snapshot({ total: 0, delivered: 0, failed: 0 }), 4)).toBe(
      '[----]   0% 0/0 done · 15.75 USD · SENDING',
    );
  });
});

describe(renderTally.name, () => {
  it('should list the non-zero statuses with their cost, then the total', () => {
    const done = snapshot({
      status: 'COMPLETED',
      pending: 0,
      submitted: 0,
      queued: 0,
      sent: 0,
      delivered: 9900,
      failed: 100,
    });
    expect(
      renderTally(
        done,
        new Map([
          ['DELIVERED', 15.4],
          ['FAILED', 0.35],
        ]),
      ),
    ).toBe(
      [
        'Campaign c1: COMPLETED',
        'status     messages       cost',
        'DELIVERED     9,900  15.40 USD',
        'FAILED          100   0.35 USD',
        'total        10,000  15.75 USD',
      ].join('\n'),
    );
  });

  it('should leave the cost column empty when the cost per status is unknown', () => {
    expect(
      renderTally(snapshot({ total: 2, pending: 2, submitted: 0, queued: 0, sent: 0, delivered: 0, failed: 0 })),
    ).toBe(
      [
        'Campaign c1: SENDING',
        'status   messages       cost',
        'PENDING         2',
        'total           2  15.75 USD',
      ].join('\n'),
    );
  });
});

describe(ProgressReporter.name, () => {
  it('should redraw one line in place on a terminal and end it on finish', () => {
    const written: string[] = [];
    const reporter = new ProgressReporter({ isTTY: true, columns: 200, write: (text) => written.push(text) > 0 });
    reporter.update(snapshot());
    reporter.update(snapshot({ delivered: 5000 }));
    reporter.finish();
    expect(written).toHaveLength(3);
    expect(written[0].startsWith('\r\u001b[2K')).toBe(true);
    expect(written[0]).toMatch(/\[█+░+\] {2}45% /);
    expect(written[1]).toMatch(/ 51% /);
    expect(written[2]).toBe('\n');
  });

  it('should write plain lines at most every interval, and whenever the status changes, when not a terminal', () => {
    const written: string[] = [];
    let now = 0;
    const reporter = new ProgressReporter({ isTTY: false, write: (text) => written.push(text) > 0 }, 5000, () => now);
    reporter.update(snapshot());
    now = 1000;
    reporter.update(snapshot({ delivered: 4500 }));
    now = 2000;
    reporter.update(snapshot({ status: 'PAUSED' }));
    now = 7000;
    reporter.update(snapshot({ status: 'PAUSED', delivered: 4600 }));
    reporter.finish();
    expect(written.map((line) => line.match(/(\d+)% .* · (\w+)\n$/)?.slice(1))).toEqual([
      ['45', 'SENDING'],
      ['45', 'PAUSED'],
      ['47', 'PAUSED'],
    ]);
  });
});
