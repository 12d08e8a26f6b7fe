import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { chooseSender } from '../accounts/account-sender';
import Decimal from 'decimal.js';
import { ConflictError, UserInputError } from '../common/errors/domain-error';
import { formatExactAmount } from '../common/money/money';
import { Clock } from '../common/time/clock';
import { AppConfig } from '../config/app-config.service';
import { CampaignRecord, RejectedRecipient } from '../domain/campaign.record';
import { CampaignStatus } from '../domain/campaign-status.enum';
import { Encoding } from '../domain/encoding.enum';
import { BatchFiller, PlannedRecipients, planBatches, planPersonalizedBatches } from '../messaging/batch-planner';
import { DispatcherWakeup } from '../messaging/dispatcher-wakeup';
import { PacingPlan } from '../messaging/pacing-plan';
import { normalizeCountry } from '../messaging/recipient-number-parser';
import { isSupportedCountry, validateRecipients, ValidRecipients } from '../messaging/recipient-validator';
import { parseByteSize } from '../delivery-reports/webhook-body';
import { AccountSettingsRepository, AccountSettingsRow } from '../persistence/account-settings.repository';
import { Db } from '../persistence/db';
import { RecipientListRepository } from '../persistence/recipient-list.repository';
import { isUniqueViolation } from '../common/errors/unique-violation';
import {
  CampaignMessageSink,
  CampaignRepository,
  NewCampaign,
  RecipientListGoneError,
  StreamedCampaignEnd,
} from '../persistence/campaign.repository';
import { SUPPRESSED_REASON, SuppressedRecipients } from '../consent/suppressed-recipients';
import { CostEstimate, countOneLess, PricingService } from '../pricing/pricing.service';
import { MessageTemplate } from '../recipient-lists/message-template';
import { PersonalizedRecipientsService } from '../recipient-lists/personalized-recipients';
import { RecipientListBuilder } from '../recipient-lists/recipient-list-builder';
import { RecipientListIngest } from '../recipient-lists/recipient-list-ingest';
import { RecipientListUploadService } from '../recipient-lists/recipient-list-upload.service';
import { RecipientTexts } from '../recipient-lists/recipient-texts';
import { translateUploadError, uploadChunks } from '../recipient-lists/upload-body';
import { ProviderAccount } from '../sms-gateway/provider-account';
import { toSendWindow } from '../quiet-hours/dto/send-window-input.mapper';
import {
  placeRecipients,
  RecipientColumns,
  RecipientPlacement,
  RecipientPlacer,
} from '../quiet-hours/recipient-placement';
import { SendWindowDefaults } from '../quiet-hours/send-window-defaults';
import { SendWindowDefaultsService } from '../quiet-hours/send-window-defaults.service';
import { WindowClock } from '../quiet-hours/window-clock';
import { dayNames, SendWindow } from '../quiet-hours/send-window';
import { yieldToIo } from '../common/async/yield-to-io';
import {
  CampaignUpload,
  UploadedCampaign,
  UploadedRecipients,
  UploadFingerprint,
  uploadedRecipientsOf,
} from './campaign-upload';
import { sendBulkFingerprint } from './dto/send-bulk-fingerprint';
import { MAX_RECIPIENTS_PER_CAMPAIGN, SendBulkInput } from './dto/send-bulk.input';
import { UploadedRecipientsWriter } from './uploaded-recipients-writer';

// A schedule a few seconds in the past is clock skew between client and server, not a mistake.
const SCHEDULE_SKEW_MS = 5_000;
// Rejections stored per campaign (each input cut to 64 characters); the count covers them all.
export const REJECTED_RECIPIENTS_KEPT = 10_000;
const DAY_MS = 86_400_000;
const PARALLEL_VALIDATION_FROM = 50_000;
// Validated recipients are stored as soon as this many are ready, then as many as are ready each time (up to
// an INSERT statement's worth per statement): storing is the slower of the two, so the sooner it starts the
// sooner it ends. With 50,000 a 100,000 list waited ~0.3 s longer for its first statement.
const STORE_SLICE = 10_000;
// Recipients placed and batched per turn of the event loop while a slice is stored (~10 ms each).
const PLACE_BETWEEN_YIELDS = 5_000;

/** What a campaign is sent with, settled before its recipients are read. */
interface Sending {
  senderId: string;
  scheduledAt: Date | null;
  sendWindow: SendWindow | null;
  /** Where the campaign has no window of its own: the account's send-window defaults, else the service's. */
  windowDefaults: SendWindowDefaults;
  requestHash: string | null;
  /** Recipients per batch: MPS x lead of the slowest lane (the account's own MPS cap included). */
  batchSize: number;
}

/** What differs between a plain and a personalized campaign when it is stored. */
interface CampaignDraft {
  text: string;
  encoding: Encoding;
  segmentsPerMessage: number;
  estimate: CostEstimate;
  rejected: RejectedRecipient[];
  recipientListId?: string;
}

/**
 * Accepts a campaign: stores it, its messages and batches in one transaction (nothing is stored when
 * anything is wrong) and wakes the dispatcher. A campaign's own recipients are stored while the rest are
 * still being validated; a list's were validated at upload.
 */
@Injectable()
export class SendBulkService {
  private readonly logger = new Logger(SendBulkService.name);

  constructor(
    private readonly campaigns: CampaignRepository,
    private readonly suppressions: SuppressedRecipients,
    private readonly pricing: PricingService,
    private readonly provider: ProviderAccount,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly wakeup: DispatcherWakeup,
    private readonly pacing: PacingPlan,
    private readonly windowClock: WindowClock,
    private readonly windowDefaults: SendWindowDefaultsService,
    private readonly personalized: PersonalizedRecipientsService,
    private readonly accountSettings: AccountSettingsRepository,
    private readonly listUploads: RecipientListUploadService,
    private readonly lists: RecipientListRepository,
  ) {}

  async send(accountId: string, input: SendBulkInput): Promise<CampaignRecord> {
    const requestHash = input.idempotencyKey ? await sendBulkFingerprint(input) : null;
    if (input.idempotencyKey) {
      const existing = await this.campaigns.findByIdempotencyKey(accountId, input.idempotencyKey);
      if (existing) {
        return this.replay(existing, requestHash);
      }
    }
    const { sending, settings } = await this.sendingFor(accountId, input, requestHash);
    if (input.recipientListId) {
      return this.sendList(accountId, input, input.recipientListId, sending);
    }
    const defaultCountry = this.checkDefaultCountry(input.defaultCountry ?? settings?.defaultCountry);
    const text = this.pricing.analyzeText(input.text, input.smartEncoding ?? false);
    if (input.recipients.length >= PARALLEL_VALIDATION_FROM && !(await this.campaigns.isEmbeddedDatabase())) {
      return this.sendStreamed(accountId, input, sending, defaultCountry, text);
    }

    // Large lists are parsed on two worker threads (libphonenumber dominates); the event loop only merges.
    const { valid, rejected, perCountry } = await validateRecipients(input.recipients, {
      defaultCountry,
      parallelFrom: PARALLEL_VALIDATION_FROM,
    });
    if (valid.phones.length === 0) {
      throw noValidRecipient(input.recipients.length, rejected);
    }
    const suppressed = await this.suppressedAmong(accountId, valid.phones, rejected);
    if (suppressed.size > 0) {
      for (let i = 0; i < valid.phones.length; i++) {
        if (suppressed.has(valid.phones[i])) {
          perCountry.set(valid.countries[i], (perCountry.get(valid.countries[i]) ?? 1) - 1);
        }
      }
    }
    const estimate = await this.pricing.estimate(
      new Map([...perCountry].filter(([, count]) => count > 0)),
      text.segments,
    );
    return this.planAndStore(
      accountId,
      input,
      sending,
      valid,
      (batchSize, groupOf) => planBatches(valid, suppressed, batchSize, groupOf),
      {
        text: text.text,
        encoding: text.encoding,
        segmentsPerMessage: text.segments,
        estimate,
        rejected,
      },
    );
  }

  /**
   * A campaign whose recipients arrive with it, as the body of POST /api/campaigns (CSV or NDJSON, as an
   * uploaded list): on a database server each parsed batch of rows is stored at once as messages, in the
   * transaction that stores the campaign, so the recipients are written once; on the embedded PGlite, which
   * serves one transaction at a time, they are stored as a list first and sent from it. The body counts in
   * the idempotency fingerprint.
   */
  async sendUpload(accountId: string, input: SendBulkInput, upload: CampaignUpload): Promise<UploadedCampaign> {
    const fingerprint = new UploadFingerprint(input, upload);
    const maxBytes = parseByteSize(this.config.recipientLists.maxBytes);
    const replayHash = async (): Promise<string | null> => {
      for await (const chunk of uploadChunks(upload.body, maxBytes, this.config.bulkBodyIdleTimeoutMs)) {
        fingerprint.update(chunk);
      }
      return fingerprint.digest();
    };
    if (input.idempotencyKey) {
      const existing = await this.campaigns.findByIdempotencyKey(accountId, input.idempotencyKey);
      if (existing) {
        return { campaign: this.replay(existing, await replayHash()), recipients: null, replayed: true };
      }
    }
    const { sending, settings } = await this.sendingFor(accountId, input, null);
    const defaultCountry = this.checkDefaultCountry(input.defaultCountry ?? settings?.defaultCountry);
    if (await this.campaigns.isEmbeddedDatabase()) {
      return this.sendUploadAsList(accountId, input, upload, sending, defaultCountry, fingerprint, replayHash);
    }
    let recipients: UploadedRecipients | null = null;
    const campaign = await this.store(accountId, input, replayHash, async () => {
      const placer = this.placerFor(sending);
      let counts: StoredCounts = { recipients: 0, rejected: 0, suppressed: 0, batches: 0 };
      const created = await this.campaigns.createStreamed(
        this.newCampaign(accountId, input, sending, {
          text: input.text,
          encoding: Encoding.GSM7,
          segmentsPerMessage: 1,
        }),
        sending.scheduledAt ?? this.clock.now(),
        async (messages, tx) => {
          const stored = await this.storeUploadedRecipients(accountId, input, upload, {
            defaultCountry,
            maxBytes,
            fingerprint,
            placer,
            batches: new BatchFiller(sending.batchSize),
            messages,
            tx,
          });
          counts = stored.counts;
          recipients = stored.recipients;
          return stored.end;
        },
      );
      return { campaign: created, ...counts };
    });
    return { campaign, recipients, replayed: false };
  }

  /**
   * POST /api/campaigns on the embedded PGlite: the body is stored as a list (one transaction per batch of
   * rows, as any upload), the campaign sent from it (one transaction), and the list deleted either way (it
   * was only the way in), once the campaign has made its messages from it: it expires at once meanwhile.
   * Errors are those of the one-transaction path.
   */
  private async sendUploadAsList(
    accountId: string,
    input: SendBulkInput,
    upload: CampaignUpload,
    sending: Sending,
    defaultCountry: string | undefined,
    fingerprint: UploadFingerprint,
    replayHash: () => Promise<string | null>,
  ): Promise<UploadedCampaign> {
    const list = await this.listUploads.upload(accountId, upload.body, {
      format: upload.format,
      phoneColumn: upload.phoneColumn,
      defaultCountry,
      onChunk: (chunk) => fingerprint.update(chunk),
    });
    try {
      if (list.recipients === 0) {
        throw noRecipientToSend(list.rows, list.rejectedRows);
      }
      sending.requestHash = fingerprint.digest();
      const campaign = await this.sendList(accountId, { ...input, recipients: [] }, list.id, sending, replayHash).catch(
        (error: unknown) => {
          // Every row's text failed: said of the body, as the other path does, not of a list the client never saw.
          throw error instanceof UserInputError && error.field === 'recipientListId'
            ? new UserInputError(
                'body',
                error.message.replace(
                  /^recipientListId: no recipient of list \S+ can be sent/,
                  `no recipient can be sent among ${list.rows} rows`,
                ),
              )
            : error;
        },
      );
      const { phoneColumn, fields, rows, recipients, duplicates, rejected, rejectedRows, rejectedRowsTruncated } = list;
      return {
        campaign,
        recipients: {
          phoneColumn,
          fields,
          rows,
          recipients,
          duplicates,
          rejected,
          rejectedRows,
          rejectedRowsTruncated,
        },
        replayed: false,
      };
    } finally {
      await this.lists
        .delete([list.id])
        .catch((error: unknown) =>
          this.logger.warn(
            { listId: list.id, err: error },
            'Could not delete the list of an uploaded campaign (it expires)',
          ),
        );
    }
  }

  /**
   * The body of POST /api/campaigns, parsed on worker threads as it arrives (RecipientListIngest, as a list
   * upload) and stored a batch of rows at a time as messages (UploadedRecipientsWriter). The estimate and
   * the budget check need the whole list; a failure there, a malformed body or no recipient that can be
   * sent throws, which stores nothing.
   */
  private async storeUploadedRecipients(
    accountId: string,
    input: SendBulkInput,
    upload: CampaignUpload,
    to: {
      defaultCountry: string | undefined;
      maxBytes: number;
      fingerprint: UploadFingerprint;
      placer: RecipientPlacer;
      batches: BatchFiller;
      messages: CampaignMessageSink;
      tx: Db;
    },
  ): Promise<{ end: StreamedCampaignEnd; counts: StoredCounts; recipients: UploadedRecipients }> {
    let writer: UploadedRecipientsWriter | undefined;
    let columns = { phoneColumn: '', fields: [] as string[] };
    const ingest = new RecipientListIngest({
      format: upload.format,
      phoneColumn: upload.phoneColumn,
      defaultCountry: to.defaultCountry === undefined ? undefined : normalizeCountry(to.defaultCountry),
      maxRecipients: MAX_RECIPIENTS_PER_CAMPAIGN,
      onHeader: (header, phoneIndex) => {
        const fields = header.filter((_, i) => i !== phoneIndex);
        columns = { phoneColumn: header[phoneIndex], fields };
        // Named as an uploaded list names them: the phone column first.
        const template = MessageTemplate.parse(input.text, [header[phoneIndex], ...fields]);
        writer = new UploadedRecipientsWriter({
          texts: new RecipientTexts(template, header[phoneIndex], fields, input.smartEncoding ?? false),
          placer: to.placer,
          batches: to.batches,
          messages: to.messages,
          suppressedAmong: (phones) => this.suppressions.find(accountId, phones, to.tx),
          rejectionsKept: REJECTED_RECIPIENTS_KEPT,
        });
        return Promise.resolve();
      },
      // A text that reads no column (the usual large campaign) needs only the numbers.
      withValues: () => writer!.readsValues,
      write: (batch) => writer!.write(batch),
    });
    let builder: RecipientListBuilder;
    try {
      for await (const chunk of uploadChunks(upload.body, to.maxBytes, this.config.bulkBodyIdleTimeoutMs)) {
        to.fingerprint.update(chunk);
        await ingest.push(chunk);
      }
      builder = await ingest.finish();
    } catch (error) {
      throw translateUploadError(error, to.maxBytes, 'campaign');
    } finally {
      await ingest.close();
    }
    const recipients = uploadedRecipientsOf({
      ...columns,
      rowCount: builder.rowCount,
      validCount: builder.validCount,
      duplicateCount: builder.duplicateCount,
      rejectedCount: builder.rejectedCount,
      rejectedRows: builder.rejectedRows,
    });
    if (!writer || writer.storedCount === 0) {
      const reasons = [
        ...new Set(
          [...builder.rejectedRows, ...(writer?.rejected ?? [])].map((r) => r.reason.replace(/^row \d+: /, '')),
        ),
      ].slice(0, 3);
      throw new UserInputError(
        'body',
        `no recipient can be sent among ${builder.rowCount} rows${reasons.length > 0 ? ` (${reasons.join('; ')})` : ''}`,
      );
    }
    const texts = writer.distinctTexts;
    const estimate = await this.pricing.estimatePersonalized(writer.perCountrySegments);
    const maxCost = this.checkMaxCost(input, estimate);
    return {
      end: {
        batchIds: writer.batchIds,
        batchSizes: to.batches.batchSizes,
        batchTexts: writer.batchTexts,
        batchPlacements: to.batches.batchGroups.map((group) => to.placer.groups[group]),
        campaign: {
          ...estimateFields(estimate),
          maxCost,
          // The template stays the campaign's text; each batch carries its rendered one.
          encoding: texts.some((t) => t.encoding === Encoding.UCS2) ? Encoding.UCS2 : Encoding.GSM7,
          segmentsPerMessage: Math.max(...texts.map((t) => t.segments)),
          rejectedRecipients: writer.rejected,
          rejectedCount: writer.rejectedCount,
          assumedZoneRecipients: to.placer.assumedZoneRecipients,
          requestHash: to.fingerprint.digest(),
        },
      },
      counts: {
        recipients: writer.storedCount,
        rejected: writer.rejectedCount,
        suppressed: writer.suppressedCount,
        batches: writer.batchIds.length,
      },
      recipients,
    };
  }

  /** What a campaign is sent with (sender, schedule, window, batch size) and the account's settings. */
  private async sendingFor(
    accountId: string,
    input: SendBulkInput,
    requestHash: string | null,
  ): Promise<{ sending: Sending; settings: AccountSettingsRow | null }> {
    // The account's settings, read once: its sender IDs, MPS cap, default country and send-window defaults
    // (each falls back to the service's).
    const settings = await this.accountSettings.find(accountId);
    const senderId = chooseSender(input.senderId, settings?.senderIds ?? [], [
      this.provider.senderId,
      ...this.config.extraSenderIds,
    ]);
    const sendWindow = toSendWindow(input.sendWindow);
    const sending: Sending = {
      senderId,
      scheduledAt: this.checkSchedule(input.scheduledAt),
      sendWindow,
      windowDefaults: sendWindow ? this.config.sendWindowDefaults : this.windowDefaults.fromSettings(settings),
      requestHash,
      batchSize: this.pacing.batchSizeFor(senderId, { accountId, mps: settings?.mps ?? null }),
    };
    return { sending, settings };
  }

  /**
   * A large campaign on a database server: its messages are stored while the rest are still validated.
   * Not on the embedded PGlite, which serves one connection's transaction at a time: a transaction held
   * open through validation would hold up the whole service (and the price lookup inside it).
   */
  private sendStreamed(
    accountId: string,
    input: SendBulkInput,
    sending: Sending,
    defaultCountry: string | undefined,
    text: { text: string; encoding: Encoding; segments: number },
  ): Promise<CampaignRecord> {
    const campaign = this.newCampaign(accountId, input, sending, {
      text: text.text,
      encoding: text.encoding,
      segmentsPerMessage: text.segments,
    });
    return this.store(
      accountId,
      input,
      () => Promise.resolve(sending.requestHash),
      async () => {
        const placer = this.placerFor(sending);
        let counts: StoredCounts = { recipients: 0, rejected: 0, suppressed: 0, batches: 0 };
        const created = await this.campaigns.createStreamed(
          campaign,
          sending.scheduledAt ?? this.clock.now(),
          async (messages, tx) => {
            const stored = await this.storeInlineRecipients(accountId, input, defaultCountry, text.segments, {
              placer,
              batches: new BatchFiller(sending.batchSize),
              messages,
              tx,
            });
            counts = stored.counts;
            return stored.end;
          },
        );
        return { campaign: created, ...counts };
      },
    );
  }

  /**
   * A campaign's own recipients, validated on worker threads while the messages already validated are
   * stored (in input order, 50,000 at a time): the two overlap instead of following each other. The
   * suppressed are looked up per slice; the estimate and the budget check need the whole list, and a
   * failure there (or no valid recipient at all) throws, which stores nothing.
   */
  private async storeInlineRecipients(
    accountId: string,
    input: SendBulkInput,
    defaultCountry: string | undefined,
    segments: number,
    to: { placer: RecipientPlacer; batches: BatchFiller; messages: CampaignMessageSink; tx: Db },
  ): Promise<{ end: StreamedCampaignEnd; counts: StoredCounts }> {
    const batchIds: string[] = [];
    const suppressedRejections: RejectedRecipient[] = [];
    const suppressedPerCountry = new Map<string, number>();
    let stored = 0;
    const storeUpTo = async (valid: ValidRecipients, end: number): Promise<void> => {
      const phones = valid.phones.slice(stored, end);
      const countries = valid.countries.slice(stored, end);
      const suppressed = await this.suppressions.find(accountId, phones, to.tx);
      const batchSequences = new Array<number>(phones.length);
      for (let i = 0; i < phones.length; i++) {
        if (i > 0 && i % PLACE_BETWEEN_YIELDS === 0) {
          await yieldToIo();
        }
        // Placed even when suppressed, as a whole list is: the same groups, the same assumed zones.
        const group = to.placer.groupOf(phones[i], countries[i]);
        if (suppressed.size > 0 && suppressed.has(phones[i])) {
          batchSequences[i] = -1;
          suppressedRejections.push({ input: phones[i], reason: SUPPRESSED_REASON });
          suppressedPerCountry.set(countries[i], (suppressedPerCountry.get(countries[i]) ?? 0) + 1);
          continue;
        }
        batchSequences[i] = to.batches.add(group, group);
        if (batchSequences[i] === batchIds.length) {
          batchIds.push(randomUUID());
        }
      }
      await to.messages.add({ phones, countries, batchSequences }, batchIds);
      stored = end;
    };

    // Large lists are parsed on two worker threads (libphonenumber dominates); the event loop merges each
    // chunk, and stores what is validated whenever a slice is ready.
    let progress: { valid: ValidRecipients; count: number } = { valid: { phones: [], countries: [] }, count: 0 };
    let finished = false;
    let wake: (() => void) | undefined;
    const validation = validateRecipients(input.recipients, {
      defaultCountry,
      parallelFrom: PARALLEL_VALIDATION_FROM,
      onProgress: (result, count) => {
        progress = { valid: result.valid, count };
        wake?.();
      },
    });
    const settle = (): void => {
      finished = true;
      wake?.();
    };
    validation.then(settle, settle);
    while (!finished) {
      if (progress.count - stored >= STORE_SLICE) {
        await storeUpTo(progress.valid, progress.count);
      } else {
        await new Promise<void>((resolve) => (wake = resolve));
      }
    }
    const { valid, rejected, perCountry } = await validation;
    if (valid.phones.length === 0) {
      throw noValidRecipient(input.recipients.length, rejected);
    }
    if (stored < valid.phones.length) {
      await storeUpTo(valid, valid.phones.length);
    }
    // One by one: spreading hundreds of thousands of arguments would overflow the stack.
    for (const rejection of suppressedRejections) {
      rejected.push(rejection);
    }
    for (const [country, count] of suppressedPerCountry) {
      perCountry.set(country, (perCountry.get(country) ?? count) - count);
    }
    const estimate = await this.pricing.estimate(new Map([...perCountry].filter(([, count]) => count > 0)), segments);
    const maxCost = this.checkMaxCost(input, estimate);
    return {
      end: {
        batchIds,
        batchSizes: to.batches.batchSizes,
        batchPlacements: to.batches.batchGroups.map((group) => to.placer.groups[group]),
        campaign: {
          ...estimateFields(estimate),
          maxCost,
          rejectedRecipients: rejected.slice(0, REJECTED_RECIPIENTS_KEPT),
          rejectedCount: rejected.length,
          assumedZoneRecipients: to.placer.assumedZoneRecipients,
        },
      },
      counts: {
        recipients: valid.phones.length,
        rejected: rejected.length,
        suppressed: suppressedRejections.length,
        batches: batchIds.length,
      },
    };
  }

  /**
   * A campaign to an uploaded list: the text is rendered per recipient (a template may use the list's
   * fields), each distinct text counted and priced once, and recipients with the same text share batches.
   */
  private async sendList(
    accountId: string,
    input: SendBulkInput,
    listId: string,
    sending: Sending,
    replayHash?: () => Promise<string | null>,
  ): Promise<CampaignRecord> {
    if (input.recipients.length > 0) {
      throw new UserInputError('recipients', 'give either recipients or recipientListId, not both (recipients: [])');
    }
    const smartEncoding = input.smartEncoding ?? false;
    const rendered = await this.personalized.render(accountId, listId, input.text, smartEncoding);
    if (rendered.phones.length === 0) {
      const reasons = [...new Set(rendered.rejected.map((r) => r.reason.replace(/^row \d+: /, '')))].slice(0, 3);
      throw new UserInputError(
        'recipientListId',
        `no recipient of list ${listId} can be sent${reasons.length > 0 ? ` (${reasons.join('; ')})` : ''}`,
      );
    }
    const rejected = [...rendered.rejected];
    const suppressed = await this.suppressedAmong(accountId, rendered.phones, rejected);
    // Priced as rendered, less the suppressed (stored, never sent): a pass over the list only when there are some.
    if (suppressed.size > 0) {
      for (let i = 0; i < rendered.phones.length; i++) {
        if (suppressed.has(rendered.phones[i])) {
          const segments = rendered.texts[rendered.textIndexes[i]].segments;
          countOneLess(rendered.perCountrySegments, rendered.countries[i], segments);
        }
      }
    }
    const estimate = await this.pricing.estimatePersonalized(rendered.perCountrySegments);
    const ucs2 = rendered.texts.some((t) => t.encoding === Encoding.UCS2);
    // Batches share one text, besides one country and one time zone.
    return this.planAndStore(
      accountId,
      input,
      sending,
      rendered,
      (batchSize, groupOf) => ({
        ...planPersonalizedBatches(
          rendered,
          rendered.texts.map((t) => t.text),
          suppressed,
          batchSize,
          groupOf,
        ),
        // Each recipient written once: the list keeps them, and their messages are made as batches are claimed.
        listPositions: rendered.positions,
      }),
      {
        // The template; each batch carries its rendered text.
        text: input.text,
        encoding: ucs2 ? Encoding.UCS2 : Encoding.GSM7,
        // The longest text's segments (the estimate counts each recipient's own).
        segmentsPerMessage: Math.max(...rendered.texts.map((t) => t.segments)),
        estimate,
        rejected,
        recipientListId: listId,
      },
      replayHash,
    );
  }

  /**
   * The account's suppressed numbers among `phones`; each is listed among the rejections (and
   * stored as a SUPPRESSED message, never sent).
   */
  private async suppressedAmong(
    accountId: string,
    phones: string[],
    rejected: RejectedRecipient[],
  ): Promise<Set<string>> {
    const suppressed = await this.suppressions.find(accountId, phones);
    if (suppressed.size > 0) {
      for (const phone of phones) {
        if (suppressed.has(phone)) {
          rejected.push({ input: phone, reason: SUPPRESSED_REASON });
        }
      }
    }
    return suppressed;
  }

  /**
   * A campaign whose recipients are all known and priced (its own, short or on PGlite, or an uploaded
   * list's) is stored in one go: the budget check, the send-window
   * placement (each batch holds one country and one time zone, src/quiet-hours), the batches, and
   * storing it all.
   */
  private async planAndStore(
    accountId: string,
    input: SendBulkInput,
    sending: Sending,
    recipients: RecipientColumns,
    planFor: (batchSize: number, groupOf: ArrayLike<number>) => PlannedRecipients,
    draft: CampaignDraft,
    replayHash: () => Promise<string | null> = () => Promise.resolve(sending.requestHash),
  ): Promise<CampaignRecord> {
    const maxCost = this.checkMaxCost(input, draft.estimate);
    const placement = this.place(recipients, sending);
    // Placing and planning a million recipients each hold the event loop for tens of milliseconds: not in one turn.
    await yieldToIo();
    const batches = planFor(sending.batchSize, placement.groupOf);
    const plan = { ...batches, batchPlacements: batches.batchGroups!.map((group) => placement.groups[group]) };
    const campaign: NewCampaign = {
      ...this.newCampaign(accountId, input, sending, draft),
      ...estimateFields(draft.estimate),
      maxCost,
      rejectedRecipients: draft.rejected.slice(0, REJECTED_RECIPIENTS_KEPT),
      rejectedCount: draft.rejected.length,
      assumedZoneRecipients: placement.assumedZoneRecipients,
    };
    return this.store(accountId, input, replayHash, async () => ({
      campaign: await this.campaigns.createWithRecipients(campaign, plan, sending.scheduledAt ?? this.clock.now()),
      recipients: plan.phones.length,
      rejected: draft.rejected.length,
      suppressed: plan.suppressedCount,
      batches: plan.batchSizes.length,
    }));
  }

  /** The campaign's row before its recipients are counted: no estimate, no rejections yet. */
  private newCampaign(
    accountId: string,
    input: SendBulkInput,
    sending: Sending,
    fields: Pick<CampaignDraft, 'text' | 'encoding' | 'segmentsPerMessage' | 'recipientListId'>,
  ): NewCampaign {
    return {
      accountId,
      name: input.name ?? null,
      status: sending.scheduledAt ? CampaignStatus.SCHEDULED : CampaignStatus.QUEUED,
      text: fields.text,
      senderId: sending.senderId,
      encoding: fields.encoding,
      segmentsPerMessage: fields.segmentsPerMessage,
      smartEncoding: input.smartEncoding ?? false,
      idempotencyKey: input.idempotencyKey ?? null,
      estimatedCost: new Decimal(0),
      requestHash: sending.requestHash,
      scheduledAt: sending.scheduledAt,
      priority: input.priority ?? 1,
      sendWindow: input.sendWindow
        ? { start: input.sendWindow.start, end: input.sendWindow.end, days: dayNames(sending.sendWindow!.days) }
        : undefined,
      ...(fields.recipientListId !== undefined && { recipientListId: fields.recipientListId }),
    };
  }

  /** Groups recipients by country and, where a send window applies, by time zone. */
  private place(recipients: RecipientColumns, sending: Sending): RecipientPlacement {
    return placeRecipients(recipients, sending.sendWindow, sending.windowDefaults, this.windowStartMs(sending));
  }

  /** Places recipients one at a time, as they are validated (see place). */
  private placerFor(sending: Sending): RecipientPlacer {
    return new RecipientPlacer(sending.sendWindow, sending.windowDefaults, this.windowStartMs(sending));
  }

  /** When sending starts, on the send-window clock. */
  private windowStartMs(sending: Sending): number {
    return (
      (sending.scheduledAt ?? this.clock.now()).getTime() +
      this.windowClock.now().getTime() -
      this.clock.now().getTime()
    );
  }

  private checkMaxCost(input: SendBulkInput, estimate: CostEstimate): Decimal | null {
    const maxCost = input.maxCost === undefined || input.maxCost === null ? null : new Decimal(input.maxCost);
    if (maxCost && estimate.totalCost.greaterThan(maxCost)) {
      throw new UserInputError(
        'maxCost',
        `the estimated cost ${formatExactAmount(estimate.totalCost)} ${estimate.currency} exceeds maxCost ${formatExactAmount(maxCost)} ${estimate.currency}`,
        { estimatedCost: estimate.totalCost.toNumber(), maxCost: maxCost.toNumber() },
      );
    }
    return maxCost;
  }

  /** Stores the campaign with its messages and batches (`create`), and wakes the dispatcher. */
  private async store(
    accountId: string,
    input: SendBulkInput,
    /** The request's fingerprint, when a race on the idempotency key makes it a replay. */
    replayHash: () => Promise<string | null>,
    create: () => Promise<{ campaign: CampaignRecord } & StoredCounts>,
  ): Promise<CampaignRecord> {
    try {
      const { campaign, ...counts } = await create();
      this.logger.log(
        {
          campaignId: campaign.id,
          recipients: counts.recipients,
          rejected: counts.rejected,
          suppressed: counts.suppressed,
        },
        'Campaign accepted',
      );
      if (counts.batches === 0) {
        // Everyone is on the opt-out list: nothing to send, the campaign is already complete.
        await this.campaigns.completeFinished([campaign.id]);
        return (await this.campaigns.findForAccount(accountId, campaign.id)) ?? campaign;
      }
      // A campaign scheduled later is found by the dispatcher's poll (DISPATCH_IDLE_POLL_MS) once due: woken
      // now, a worker would only ask the database for due work and find none.
      if (campaign.scheduledAt === null || campaign.scheduledAt.getTime() <= this.windowClock.now().getTime()) {
        this.wakeup.wake();
      }
      return campaign;
    } catch (error) {
      // Two requests with the same idempotency key raced: the other one stored the campaign.
      if (input.idempotencyKey && isUniqueViolation(error)) {
        const existing = await this.campaigns.findByIdempotencyKey(accountId, input.idempotencyKey);
        if (existing) {
          return this.replay(existing, await replayHash());
        }
      }
      if (error instanceof RecipientListGoneError) {
        throw new UserInputError('recipientListId', `no recipient list ${error.listId} (it expired)`);
      }
      throw error;
    }
  }

  /**
   * A repeated idempotency key returns the campaign it created, but only for the same request: a
   * different body under the same key is a client bug that must not pass silently (Stripe does the same).
   * Campaigns stored before requests were fingerprinted have no hash and are returned as before.
   */
  private replay(existing: CampaignRecord, requestHash: string | null): CampaignRecord {
    if (existing.requestHash !== null && existing.requestHash !== requestHash) {
      throw new ConflictError(
        'idempotencyKey',
        `"${existing.idempotencyKey}" was already used for campaign ${existing.id} with a different request; ` +
          'send the same request again, or use a new key',
      );
    }
    return existing;
  }

  private checkSchedule(scheduledAt: Date | null | undefined): Date | null {
    if (!scheduledAt) {
      return null;
    }
    if (scheduledAt.getTime() < this.clock.now().getTime() - SCHEDULE_SKEW_MS) {
      throw new UserInputError('scheduledAt', `${scheduledAt.toISOString()} is in the past`);
    }
    const maxDays = this.config.maxScheduleAheadDays;
    if (scheduledAt.getTime() > this.clock.now().getTime() + maxDays * DAY_MS) {
      throw new UserInputError(
        'scheduledAt',
        `${scheduledAt.toISOString()} is too far ahead: schedule at most ${maxDays} days ahead (MAX_SCHEDULE_AHEAD_DAYS)`,
      );
    }
    return scheduledAt.getTime() > this.clock.now().getTime() ? scheduledAt : null;
  }

  private checkDefaultCountry(country: string | null | undefined): string | undefined {
    if (!country) {
      return undefined;
    }
    if (!isSupportedCountry(country)) {
      throw new UserInputError('defaultCountry', `${country} is not a supported ISO 3166-1 alpha-2 country code`);
    }
    return country.toUpperCase();
  }
}

/** What a stored campaign's log line and completion check need. */
interface StoredCounts {
  recipients: number;
  rejected: number;
  suppressed: number;
  batches: number;
}

function estimateFields(estimate: CostEstimate): Pick<NewCampaign, 'estimatedCost' | 'estimatedCostByCountry'> {
  return {
    estimatedCost: estimate.totalCost,
    estimatedCostByCountry: estimate.perCountry.map((c) => ({
      country: c.country,
      recipients: c.recipients,
      pricePerSegment: c.pricePerSegment.toFixed(5),
      cost: c.cost.toFixed(5),
    })),
  };
}

/** No row of an uploaded campaign's body can be sent: the first reasons why. */
function noRecipientToSend(rows: number, rejections: Array<{ reason: string }>): UserInputError {
  const reasons = [...new Set(rejections.map((r) => r.reason.replace(/^row \d+: /, '')))].slice(0, 3);
  return new UserInputError(
    'body',
    `no recipient can be sent among ${rows} rows${reasons.length > 0 ? ` (${reasons.join('; ')})` : ''}`,
  );
}

function noValidRecipient(inputs: number, rejected: RejectedRecipient[]): UserInputError {
  const reasons = [...new Set(rejected.map((r) => r.reason))].slice(0, 3).join('; ');
  return new UserInputError('recipients', `no valid recipient among ${inputs} (${reasons})`);
}
