import Decimal from 'decimal.js';
import { mock } from 'jest-mock-extended';
import { CampaignRecord } from '../../src/domain/campaign.record';
import { CampaignStatus } from '../../src/domain/campaign-status.enum';
import { Encoding } from '../../src/domain/encoding.enum';
import { DueBatch, PacingRow } from '../../src/persistence/dispatch.repository';

/** A mock whose every method not explicitly stubbed throws: an unexpected call fails the test. */
export function strictMock<T>() {
  return mock<T>(undefined, {
    fallbackMockImplementation: () => {
      throw new Error('unexpected call');
    },
  });
}

export function dueBatch(overrides: Partial<DueBatch> = {}): DueBatch {
  return {
    id: 'b1',
    campaignId: 'c1',
    accountId: 'a1',
    senderId: '+14155550100',
    text: 'hello',
    state: 'PENDING',
    attempts: 0,
    reconcileAttempts: 0,
    createdAt: new Date('2030-01-01T00:00:00Z'),
    submittedAt: null,
    firstAttemptAt: null,
    campaignStatus: 'SENDING',
    campaignPriority: 1,
    maxCost: null,
    estimatedCost: new Decimal('1.00000'),
    actualCost: new Decimal(0),
    total: 100,
    suppressed: 0,
    uncosted: 100,
    waiting: 100,
    ...overrides,
  };
}

export function pacingRow(key: string, now: Date, overrides: Partial<PacingRow> = {}): PacingRow {
  return { key, queueDrainsAt: now, apiTokens: 150, apiTokensAt: now, now, ...overrides };
}

export function campaignRecord(overrides: Partial<CampaignRecord> = {}): CampaignRecord {
  return {
    id: 'c1',
    accountId: 'a1',
    name: null,
    status: CampaignStatus.SENDING,
    statusReason: null,
    text: 'hello',
    senderId: '+14155550100',
    encoding: Encoding.GSM7,
    segmentsPerMessage: 1,
    idempotencyKey: null,
    currency: 'USD',
    estimatedCost: new Decimal(0),
    maxCost: null,
    actualCost: new Decimal(0),
    rejectedCount: 0,
    requestHash: null,
    scheduledAt: null,
    startedAt: null,
    completedAt: null,
    priority: 1,
    createdAt: new Date('2030-01-01T00:00:00Z'),
    updatedAt: new Date('2030-01-01T00:00:00Z'),
    total: 0,
    pending: 0,
    submitted: 0,
    queued: 0,
    sent: 0,
    delivered: 0,
    undelivered: 0,
    failed: 0,
    rejected: 0,
    unconfirmed: 0,
    suppressed: 0,
    cancelled: 0,
    ...overrides,
  };
}
