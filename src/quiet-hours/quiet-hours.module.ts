import { Module } from '@nestjs/common';
import { SendWindowDefaultsService } from './send-window-defaults.service';
import { SendingHoldsService } from './sending-holds.service';
import { WindowClock } from './window-clock';

/** Send windows in each recipient's local time: what the ETA and progress need to know about them. */
@Module({
  providers: [SendingHoldsService, WindowClock, SendWindowDefaultsService],
  exports: [SendingHoldsService, WindowClock, SendWindowDefaultsService],
})
export class QuietHoursModule {}
