import { Injectable } from '@nestjs/common';
import { UserInputError } from '../common/errors/domain-error';
import { CampaignEvents } from '../domain/campaign-events';
import { validateRecipients } from '../messaging/recipient-validator';
import { checkDefaultCountry } from '../pricing/pricing.service';
import { ConsentRecordRow, ConsentRepository } from '../persistence/consent.repository';
import { ConsentTransactor } from '../persistence/consent-transactor';
import { withDbRetry } from '../persistence/db-retry';
import { ErasureRepository } from '../persistence/erasure.repository';
import { decodeCursor, encodeCursor, InvalidCursorError } from '../persistence/keyset-cursor';
import { ERASED_PREFIX, SuppressionRepository, SuppressionRow } from '../persistence/suppression.repository';
import { DEFAULT_CONSENT_KEYWORDS } from './consent-keywords';
import { AddSuppressionsInput, ConsentSettingsInput } from './dto/add-suppressions.input';
import { ConsentSettings } from './models/consent-record.model';
import { AddSuppressionsResult, ErasureResult } from './models/suppression.model';
import { RecipientHasher } from './recipient-hasher';
import { AppConfig } from '../config/app-config.service';

export interface SuppressionPage {
  rows: Array<{ cursor: string; node: SuppressionRow }>;
  hasNextPage: boolean;
}

/** The account's side of consent: its suppression list, evidence, settings and erasure. */
@Injectable()
export class SuppressionsService {
  constructor(
    private readonly suppressions: SuppressionRepository,
    private readonly consent: ConsentRepository,
    private readonly transactor: ConsentTransactor,
    private readonly erasure: ErasureRepository,
    private readonly hasher: RecipientHasher,
    private readonly events: CampaignEvents,
    private readonly config: AppConfig,
  ) {}

  async page(
    accountId: string,
    first: number,
    after?: string | null,
    search?: string | null,
  ): Promise<SuppressionPage> {
    let position: { createdAt: Date; phone: string } | undefined;
    if (after) {
      try {
        const { sortKey, id } = decodeCursor(after);
        const createdAt = new Date(sortKey);
        if (Number.isNaN(createdAt.getTime())) {
          throw new InvalidCursorError(after);
        }
        position = { createdAt, phone: id };
      } catch (error) {
        if (error instanceof InvalidCursorError) {
          throw new UserInputError('after', error.message);
        }
        throw error;
      }
    }
    const rows = await this.suppressions.page(accountId, {
      first: first + 1,
      after: position,
      search: search ?? undefined,
    });
    return {
      rows: rows
        .slice(0, first)
        .map((node) => ({ cursor: encodeCursor(node.createdAt.toISOString(), node.phone), node })),
      hasNextPage: rows.length > first,
    };
  }

  count(accountId: string, search?: string): Promise<number> {
    return this.suppressions.count(accountId, search);
  }

  /** Suppresses numbers at once: waiting messages of running campaigns become SUPPRESSED in the same transaction. */
  async add(accountId: string, input: AddSuppressionsInput): Promise<AddSuppressionsResult> {
    const defaultCountry = checkDefaultCountry(input.defaultCountry);
    const { valid, rejected } = await validateRecipients(input.phones, { defaultCountry });
    const invalid = rejected.filter((r) => r.reason !== 'duplicate');
    if (invalid.length > 0) {
      throw new UserInputError(
        'phones',
        `${invalid.length} invalid numbers, e.g. "${invalid[0].input}" (${invalid[0].reason}); nothing was added`,
      );
    }
    const source = input.source ?? 'API';
    const reason = input.reason?.trim() || (source === 'CSV_IMPORT' ? 'imported from CSV' : 'added through the API');
    const phones = valid.phones;
    const result = await this.transactor.run(async (tx) => {
      const added = await tx.suppressions.addMany(phones.map((phone) => ({ accountId, phone, reason, source })));
      const entries = phones.map((phone) => ({ accountId, phone }));
      const { campaignIds, messages: messagesSuppressed } = await tx.consent.suppressWaitingMessages(entries);
      await tx.consent.record(
        added.map((a) => ({
          accountId,
          phone: a.phone,
          action: 'OPT_OUT',
          source,
          campaignId: null,
          messageUuid: null,
          text: reason,
        })),
      );
      await tx.campaigns.completeFinished(campaignIds);
      return { added: added.length, campaignIds, messagesSuppressed };
    });
    this.events.campaignsChanged(result.campaignIds);
    return {
      added: result.added,
      alreadySuppressed: phones.length - result.added,
      messagesSuppressed: result.messagesSuppressed,
    };
  }

  /** Lifts a suppression (also its erased form); false when the number was not suppressed. */
  async remove(accountId: string, phone: string, reason?: string | null): Promise<boolean> {
    const e164 = await this.normalize(phone);
    const forms = [{ accountId, phone: e164 }];
    if (this.hasher.configured) {
      forms.push({ accountId, phone: ERASED_PREFIX + this.hasher.hash(e164) });
    }
    return this.transactor.run(async (tx) => {
      const removed = await tx.suppressions.removeMany(forms);
      if (removed.length > 0) {
        await tx.consent.record([
          {
            accountId,
            phone: e164,
            action: 'OPT_IN',
            source: 'API',
            campaignId: null,
            messageUuid: null,
            text: reason?.trim() || 'removed through the API',
          },
        ]);
      }
      return removed.length > 0;
    });
  }

  async erase(accountId: string, phone: string): Promise<ErasureResult> {
    const e164 = await this.normalize(phone);
    const hash = this.hasher.hash(e164);
    const { messages, campaignIds } = await withDbRetry(() =>
      this.erasure.erase(accountId, e164, hash, {
        reason: 'erased on request (eraseRecipient); kept hashed so the number stays suppressed',
        source: 'API',
      }),
    );
    this.events.campaignsChanged(campaignIds);
    return { messages, suppressionKept: true };
  }

  async records(
    accountId: string,
    phone: string | null | undefined,
    first: number,
    after?: string | null,
  ): Promise<ConsentRecordRow[]> {
    const e164 = phone ? await this.normalize(phone) : undefined;
    return this.consent.records(accountId, { phone: e164, first, beforeId: after ?? undefined });
  }

  async settings(accountId: string): Promise<ConsentSettings> {
    const [row] = await this.consent.settingsFor([accountId]);
    const defaults = this.config.consent;
    return row
      ? row
      : {
          optOutKeywords: DEFAULT_CONSENT_KEYWORDS.optOut,
          optInKeywords: DEFAULT_CONSENT_KEYWORDS.optIn,
          helpKeywords: DEFAULT_CONSENT_KEYWORDS.help,
          optOutReply: defaults.optOutReply,
          optInReply: defaults.optInReply,
          helpReply: defaults.helpReply,
        };
  }

  async updateSettings(accountId: string, input: ConsentSettingsInput): Promise<ConsentSettings> {
    const current = await this.settings(accountId);
    const keywords = (field: string, list: string[] | null | undefined, fallback: string[]): string[] => {
      if (list === null || list === undefined) {
        return fallback;
      }
      const cleaned = [...new Set(list.map((k) => k.trim().toUpperCase()).filter(Boolean))];
      if (cleaned.length === 0) {
        throw new UserInputError(field, 'needs at least one keyword');
      }
      return cleaned;
    };
    const reply = (value: string | null | undefined, fallback: string | null): string | null =>
      value === undefined || value === null ? fallback : value.trim() === '' ? null : value.trim();
    const next = {
      accountId,
      optOutKeywords: keywords('optOutKeywords', input.optOutKeywords, current.optOutKeywords),
      optInKeywords: keywords('optInKeywords', input.optInKeywords, current.optInKeywords),
      helpKeywords: keywords('helpKeywords', input.helpKeywords, current.helpKeywords),
      optOutReply: reply(input.optOutReply, current.optOutReply),
      optInReply: reply(input.optInReply, current.optInReply),
      helpReply: reply(input.helpReply, current.helpReply),
    };
    const clash = next.optOutKeywords.find((k) => next.optInKeywords.includes(k));
    if (clash) {
      throw new UserInputError('optInKeywords', `"${clash}" is also an opt-out keyword`);
    }
    await this.consent.saveSettings(next);
    return next;
  }

  private async normalize(phone: string): Promise<string> {
    const { valid, rejected } = await validateRecipients([phone], {});
    if (valid.phones.length === 0) {
      throw new UserInputError(
        'phone',
        `"${phone.slice(0, 64)}" is not a valid phone number (${rejected[0]?.reason ?? 'invalid'})`,
      );
    }
    return valid.phones[0];
  }
}
