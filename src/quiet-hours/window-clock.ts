import { Injectable } from '@nestjs/common';

/**
 * The time send windows are judged against: the recipients' day. The system clock, kept apart
 * from `Clock` so that a test can move the recipients' day (hours in a second) while leases,
 * retries and the provider queue keep running on the real clock.
 */
@Injectable()
export class WindowClock {
  now(): Date {
    return new Date();
  }
}
