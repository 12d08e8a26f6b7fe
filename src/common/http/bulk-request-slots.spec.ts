import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { MetricsService } from '../metrics/metrics.service';
import { BulkRequestSlots, MAX_WAITING_BULK_REQUESTS } from './bulk-request-slots';

describe(BulkRequestSlots.name, () => {
  const response = () => new EventEmitter() as unknown as ServerResponse;

  it('should run one request at a time and start the next, in order, when a response closes', () => {
    const sut = new BulkRequestSlots(1, new MetricsService());
    const started: string[] = [];
    const [a, b, c] = [response(), response(), response()];
    expect(sut.enter(a, () => started.push('a'))).toBe(true);
    expect(sut.enter(b, () => started.push('b'))).toBe(true);
    expect(sut.enter(c, () => started.push('c'))).toBe(true);
    expect(started).toEqual(['a']);
    a.emit('close');
    expect(started).toEqual(['a', 'b']);
    b.emit('close');
    expect(started).toEqual(['a', 'b', 'c']);
  });

  it('should forget a waiting request whose client left, and refuse one past the waiting limit', () => {
    const sut = new BulkRequestSlots(1, new MetricsService());
    const started: number[] = [];
    const running = response();
    sut.enter(running, () => started.push(0));
    const waiting = Array.from({ length: MAX_WAITING_BULK_REQUESTS }, (_, i) => {
      const res = response();
      expect(sut.enter(res, () => started.push(i + 1))).toBe(true);
      return res;
    });
    expect(sut.enter(response(), () => started.push(-1))).toBe(false);
    waiting[0].emit('close');
    running.emit('close');
    expect(started).toEqual([0, 2]);
  });
});
