import Decimal from 'decimal.js';
import { MessageStatus } from './message-status.enum';

export interface MessageRecord {
  id: string;
  campaignId: string;
  to: string;
  country: string | null;
  status: MessageStatus;
  providerMessageId: string | null;
  errorCode: string | null;
  units: number | null;
  amount: Decimal | null;
  updatedAt: Date;
  /** False for a message never to be sent (suppressed). */
  inBatch?: boolean;
  /** A personalized campaign's text for this recipient (its batch's); null: the campaign's text. */
  renderedText?: string | null;
}
