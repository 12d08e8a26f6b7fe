import { Module } from '@nestjs/common';
import { MessagePartitionRepository } from '../persistence/message-partition.repository';
import { RetentionRepository } from '../persistence/retention.repository';
import { MessagePartitionService } from './message-partition.service';
import { MessageRetentionService } from './message-retention.service';

/** The daily MESSAGE_RETENTION_DAYS job, and the Message partitions (created ahead, retired when old). */
@Module({
  providers: [RetentionRepository, MessageRetentionService, MessagePartitionRepository, MessagePartitionService],
  exports: [MessageRetentionService, MessagePartitionService],
})
export class RetentionModule {}
