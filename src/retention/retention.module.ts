import { Module } from '@nestjs/common';
import { RetentionRepository } from '../persistence/retention.repository';
import { MessageRetentionService } from './message-retention.service';

/** The daily MESSAGE_RETENTION_DAYS job. */
@Module({
  providers: [RetentionRepository, MessageRetentionService],
  exports: [MessageRetentionService],
})
export class RetentionModule {}
