import { SenderType } from './sandbox-message-request';

export interface MpsReservation {
  /** When the message leaves the queue (real ms), or null when it would wait past its expiry. */
  sendAt: number | null;
  lane: string;
}

/**
 * Plivo's outbound queue: messages leave at the account MPS (or a per-sender-type MPS), in order.
 * Each lane is a "next free slot" clock, so a send time is known at enqueue and needs no timer of
 * its own. A message that would wait longer than its expiry never takes a slot (it fails with 420).
 */
export class SandboxMpsQueue {
  private readonly nextFree = new Map<string, number>();
  private readonly depth = new Map<string, number>();

  reserve(
    senderType: SenderType,
    now: number,
    rates: { mps: number; mpsBySenderType: Partial<Record<SenderType, number>>; timeScale: number },
    expiryMs: number,
  ): MpsReservation {
    const laneMps = rates.mpsBySenderType[senderType];
    const lane = laneMps === undefined ? 'account' : senderType;
    const intervalMs = (1000 / (laneMps ?? rates.mps)) * rates.timeScale;
    const sendAt = Math.max(now, this.nextFree.get(lane) ?? now);
    if (sendAt - now > expiryMs) {
      return { sendAt: null, lane };
    }
    this.nextFree.set(lane, sendAt + intervalMs);
    this.depth.set(lane, (this.depth.get(lane) ?? 0) + 1);
    return { sendAt, lane };
  }

  /** A message a restarted sandbox found waiting to leave at `sendAt`: later ones queue behind it. */
  restore(lane: string, sendAt: number): void {
    this.nextFree.set(lane, Math.max(this.nextFree.get(lane) ?? sendAt, sendAt));
    this.depth.set(lane, (this.depth.get(lane) ?? 0) + 1);
  }

  /** Called when a reserved message leaves the queue. */
  released(lane: string): void {
    this.depth.set(lane, Math.max(0, (this.depth.get(lane) ?? 1) - 1));
  }

  /** Messages waiting per lane. */
  depths(): Record<string, number> {
    return Object.fromEntries(this.depth);
  }

  clear(): void {
    this.nextFree.clear();
    this.depth.clear();
  }
}
