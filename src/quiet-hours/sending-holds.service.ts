import { Injectable } from '@nestjs/common';
import { SendingHoldRepository } from '../persistence/sending-hold.repository';
import { isWindowOpen } from './send-window';
import { WindowClock } from './window-clock';
import { windowOfBatch } from './window-gate';
import { WindowedGroup } from './windowed-finish';

export interface SendingHolds {
  /** Waiting recipients whose send window is closed now. */
  waitingForWindow: number;
  /** Waiting recipients held by a tripped brake (until resumeCampaign). */
  heldByBrake: number;
  /** The waiting recipients not held by a brake, by window: what the ETA schedules. */
  sendable: WindowedGroup[];
}

/** How many of a campaign's waiting messages wait for their window, or for a resume after the brake. */
@Injectable()
export class SendingHoldsService {
  constructor(
    private readonly holds: SendingHoldRepository,
    private readonly clock: WindowClock,
  ) {}

  /** How far the recipients' day is from the service's clock: 0 outside tests. */
  windowShiftMs(serviceNowMs: number): number {
    return this.clock.now().getTime() - serviceNowMs;
  }

  async of(campaignId: string): Promise<SendingHolds> {
    const now = this.clock.now().getTime();
    const result: SendingHolds = { waitingForWindow: 0, heldByBrake: 0, sendable: [] };
    for (const group of await this.holds.waitingGroups(campaignId)) {
      if (group.held) {
        result.heldByBrake += group.recipients;
        continue;
      }
      const window = windowOfBatch(group);
      if (window && !isWindowOpen(window.rule, window.zone, now)) {
        result.waitingForWindow += group.recipients;
      }
      result.sendable.push({ window, recipients: group.recipients });
    }
    return result;
  }
}
