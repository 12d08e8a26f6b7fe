import { MessageStatus } from './message-status.enum';

/**
 * How far along a message is; a report or an outcome may only move a message to a higher rank
 * (equal ranks are decided by the report's Sequence). UNCONFIRMED sits below the final reports, so a
 * receipt that arrives after the receipt window still counts. SUPPRESSED and CANCELLED never move.
 */
export const MESSAGE_STATUS_RANK: Record<MessageStatus, number> = {
  [MessageStatus.PENDING]: 0,
  [MessageStatus.SUBMITTED]: 1,
  [MessageStatus.QUEUED]: 2,
  [MessageStatus.SENT]: 3,
  [MessageStatus.UNCONFIRMED]: 4,
  [MessageStatus.DELIVERED]: 5,
  [MessageStatus.UNDELIVERED]: 5,
  [MessageStatus.FAILED]: 5,
  [MessageStatus.REJECTED]: 5,
  [MessageStatus.SUPPRESSED]: 100,
  [MessageStatus.CANCELLED]: 100,
};
