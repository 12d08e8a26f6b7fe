import { callbackParams, SandboxMessage } from './sandbox-message';
import { countryByIso } from './sandbox-prices';

function message(overrides: Partial<SandboxMessage>): SandboxMessage {
  const country = countryByIso('GB')!;
  return {
    uuid: '0c83088b-f987-4a12-aa42-341aeec4673a',
    to: '447400000001',
    batch: {
      index: 0,
      apiId: 'api',
      authId: 'MA',
      src: '14155550100',
      text: 'Hi',
      units: 2,
      method: 'POST',
      expiryMs: 1,
    },
    country,
    network: country.networks[0],
    rateMicro: 4_000,
    plan: { status: 'delivered', errorCode: null },
    status: 'queued',
    errorCode: null,
    charged: false,
    queuedAt: Date.UTC(2026, 11, 7, 10, 0, 0),
    sentAt: null,
    finalAt: null,
    sequence: 0,
    lane: 'account',
    reorder: false,
    noReceipt: false,
    nth: 0,
    ...overrides,
  };
}

describe(callbackParams.name, () => {
  const queuedAt = Date.UTC(2026, 11, 7, 10, 0, 0);
  const sentAt = queuedAt + 1_000;
  const finalAt = queuedAt + 3_000;

  it("should build an earlier status's callback as it stood then, once the message has moved on", () => {
    // A callback waits in the queue while its message goes on: built when sent, it still tells its own status.
    const delivered = message({ status: 'delivered', charged: true, sentAt, finalAt, sequence: 3 });

    const queued = callbackParams(delivered, 'queued', 1, queuedAt);
    const sent = callbackParams(delivered, 'sent', 2, sentAt);
    const final = callbackParams(delivered, 'delivered', 3, finalAt);

    expect(queued).toEqual(
      expect.objectContaining({ Status: 'queued', Sequence: '1', TotalAmount: '0.00000', Units: '2' }),
    );
    expect(queued.SentTime).toBeUndefined();
    expect(queued.DeliveryReportTime).toBeUndefined();
    expect(sent).toEqual(
      expect.objectContaining({ Status: 'sent', SentTime: '2026-12-07 10:00:01.000000', TotalAmount: '0.08000' }),
    );
    expect(sent.DeliveryReportTime).toBeUndefined();
    expect(final).toEqual(
      expect.objectContaining({
        Status: 'delivered',
        Sequence: '3',
        MessageTime: '2026-12-07 10:00:03.000000',
        DeliveryReportTime: '2026-12-07 10:00:03.000000',
        TotalAmount: '0.08000',
      }),
    );
    expect(final.ErrorCode).toBeUndefined();
  });

  it('should report a message that failed in the queue without a send time, charge or sent status', () => {
    const failed = message({ status: 'failed', errorCode: '420', finalAt, sequence: 2 });

    const params = callbackParams(failed, 'failed', 2, finalAt);

    expect(params).toEqual(
      expect.objectContaining({ Status: 'failed', ErrorCode: '420', TotalAmount: '0.00000', TotalRate: '0.04000' }),
    );
    expect(params.SentTime).toBeUndefined();
    expect(Object.keys(params)).toEqual([...Object.keys(params)].sort());
  });
});
