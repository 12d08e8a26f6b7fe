import { registerEnumType } from '@nestjs/graphql';

export enum MessageStatus {
  PENDING = 'PENDING',
  SUBMITTED = 'SUBMITTED',
  QUEUED = 'QUEUED',
  SENT = 'SENT',
  DELIVERED = 'DELIVERED',
  UNDELIVERED = 'UNDELIVERED',
  FAILED = 'FAILED',
  REJECTED = 'REJECTED',
  UNCONFIRMED = 'UNCONFIRMED',
  SUPPRESSED = 'SUPPRESSED',
  CANCELLED = 'CANCELLED',
}

export const FINAL_MESSAGE_STATUSES: ReadonlySet<MessageStatus> = new Set([
  MessageStatus.DELIVERED,
  MessageStatus.UNDELIVERED,
  MessageStatus.FAILED,
  MessageStatus.REJECTED,
  MessageStatus.UNCONFIRMED,
  MessageStatus.SUPPRESSED,
  MessageStatus.CANCELLED,
]);

registerEnumType(MessageStatus, {
  name: 'MessageStatus',
  description: 'Where one recipient stands; DELIVERED and the statuses after it in this list are final.',
});
