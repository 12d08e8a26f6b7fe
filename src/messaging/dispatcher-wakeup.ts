import { Injectable } from '@nestjs/common';

/**
 * Lets this instance's dispatcher start at once when work arrives instead of at its next poll.
 * Other instances find the work at their next poll.
 */
@Injectable()
export class DispatcherWakeup {
  private listener?: () => void;

  onWake(listener: () => void): void {
    this.listener = listener;
  }

  wake(): void {
    this.listener?.();
  }
}
