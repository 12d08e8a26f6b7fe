export type CampaignStatus = 'SCHEDULED' | 'QUEUED' | 'SENDING' | 'PAUSED' | 'COMPLETED' | 'CANCELLED' | 'FAILED';
export const FINAL_STATUSES: CampaignStatus[] = ['COMPLETED', 'CANCELLED', 'FAILED'];
export const MESSAGE_STATUSES = [
  'PENDING',
  'SUBMITTED',
  'QUEUED',
  'SENT',
  'DELIVERED',
  'UNDELIVERED',
  'FAILED',
  'REJECTED',
  'UNCONFIRMED',
  'SUPPRESSED',
  'CANCELLED',
] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}

/** A GraphQL connection as the server pages it: keyset cursors, newest or oldest first. */
export interface Connection<T> {
  edges: Array<{ cursor: string; node: T }>;
  pageInfo: PageInfo;
}

export interface Money {
  amount: number;
  currency: string;
}

export interface Progress {
  campaignId: string;
  status: CampaignStatus;
  statusReason: string | null;
  total: number;
  pending: number;
  submitted: number;
  queued: number;
  sent: number;
  delivered: number;
  undelivered: number;
  failed: number;
  rejected: number;
  unconfirmed: number;
  suppressed: number;
  cancelled: number;
  cost: Money;
  estimatedCompletionAt: string | null;
  updatedAt: string;
}

/** What pause, resume and cancel answer: the status the campaign has now. */
export type StatusChange = Pick<Progress, 'status' | 'statusReason'>;

export interface CampaignSummary {
  id: string;
  name: string | null;
  status: CampaignStatus;
  statusReason: string | null;
  createdAt: string;
  scheduledAt: string | null;
  completedAt: string | null;
  encoding: 'GSM7' | 'UCS2';
  segmentsPerMessage: number;
  estimatedCost: Money;
  progress: Progress;
}

export interface CampaignDetail extends CampaignSummary {
  text: string;
  senderId: string;
  rejectedRecipientCount: number;
  maxCost: Money | null;
  cancellation: { cancelledMessages: number; alreadyWithProvider: number } | null;
}

export interface MessageRow {
  id: string;
  to: string;
  country: string | null;
  status: MessageStatus;
  providerMessageId: string | null;
  errorCode: string | null;
  units: number | null;
  cost: Money | null;
  updatedAt: string;
}

export interface CountryCost {
  country: string;
  recipients: number;
  reportedMessages: number;
  estimated: Money;
  actual: Money;
}

export interface Quote {
  encoding: 'GSM7' | 'UCS2';
  characters: number;
  segments: number;
  text: string;
  unicodeCharacters: string[];
  recipients: number;
  rejectedRecipients: Array<{ input: string; reason: string }>;
  perCountry: Array<{ country: string; recipients: number; pricePerSegment: Money; cost: Money }>;
  totalCost: Money;
  /** A list's fields the text reads that some rows leave empty; `defaulted` when the text gives each read a default. */
  emptyFields: Array<{ field: string; recipients: number; defaulted: boolean }>;
}

export interface Suppression {
  phone: string;
  reason: string;
  source: 'INBOUND_KEYWORD' | 'CARRIER_OPT_OUT' | 'API' | 'CSV_IMPORT';
  campaignId: string | null;
  createdAt: string;
}

export interface AddSuppressionsResult {
  added: number;
  alreadySuppressed: number;
  messagesSuppressed: number;
}

export interface Account {
  id: string;
  name: string;
  createdAt: string;
}

/** The GraphQL enum; each value stands for the scope string shown beside it (SCOPE_LABELS). */
export const SCOPES = ['CAMPAIGNS_READ', 'CAMPAIGNS_WRITE', 'SUPPRESSIONS_WRITE', 'WEBHOOKS_WRITE', 'ADMIN'] as const;
export type Scope = (typeof SCOPES)[number];

export interface ApiKey {
  id: string;
  accountId: string;
  name: string;
  scopes: Scope[];
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  /** Neither revoked nor expired. */
  active: boolean;
}

export interface WebhookEndpoint {
  id: string;
  url: string;
  events: string[];
  createdAt: string;
  enabled: boolean;
  disabledAt: string | null;
  disabledReason: string | null;
  consecutiveFailures: number;
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
}

export const WEBHOOK_DELIVERY_STATES = ['PENDING', 'DELIVERED', 'FAILED'] as const;
export type WebhookDeliveryState = (typeof WEBHOOK_DELIVERY_STATES)[number];

export interface WebhookDelivery {
  id: string;
  eventId: string;
  eventType: string;
  campaignId: string | null;
  state: WebhookDeliveryState;
  attempts: number;
  nextAttemptAt: string;
  lastAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  lastDurationMs: number | null;
  deliveredAt: string | null;
  createdAt: string;
}
