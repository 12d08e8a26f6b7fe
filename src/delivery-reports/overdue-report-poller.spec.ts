import { batchLookups } from './overdue-report-poller.service';

describe('batchLookups', () => {
  const attemptedAt = new Date('2026-12-01T10:00:00.000Z');
  const plivoTimeoutMs = 10_000;

  it('should ask for the UUIDs the provider returned that no message carries yet', () => {
    const lookups = batchLookups(
      { batchId: 'b1', unmatchedUuids: ['u1', 'u2'], uuidlessNumbers: ['+447700900001'], attemptedAt },
      plivoTimeoutMs,
      attemptedAt.getTime() + 60_000,
    );

    expect(lookups).toEqual([
      { kind: 'uuid', uuid: 'u1', batchId: 'b1' },
      { kind: 'uuid', uuid: 'u2', batchId: 'b1' },
    ]);
  });

  it('should look each waiting number up around the submission when the batch knows no UUID', () => {
    const lookups = batchLookups(
      { batchId: 'b2', unmatchedUuids: [], uuidlessNumbers: ['+447700900001', '+447700900002'], attemptedAt },
      plivoTimeoutMs,
      attemptedAt.getTime() + 60_000,
    );

    expect(lookups).toEqual(
      ['+447700900001', '+447700900002'].map((to) => ({
        kind: 'number',
        to,
        batchId: 'b2',
        since: new Date('2026-12-01T09:59:45.000Z'),
        until: new Date('2026-12-01T10:00:25.000Z'),
      })),
    );
  });

  it('should not look past now when the submission was moments ago', () => {
    const [lookup] = batchLookups(
      { batchId: 'b3', unmatchedUuids: [], uuidlessNumbers: ['+447700900001'], attemptedAt },
      plivoTimeoutMs,
      attemptedAt.getTime() + 2_000,
    );

    expect(lookup).toMatchObject({ until: new Date('2026-12-01T10:00:17.000Z') });
  });
});
