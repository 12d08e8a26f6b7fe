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
}
