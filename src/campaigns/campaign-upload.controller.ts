import { Controller, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AuthenticatedAccount } from '../common/auth/authenticated-account';
import { CurrentAccount } from '../common/auth/current-account.decorator';
import { RequireScope } from '../common/auth/require-scope.decorator';
import { Scope } from '../common/auth/scope.enum';
import { UploadSlots } from '../common/http/upload-slots';
import { assertUncompressed, formatOf } from '../recipient-lists/recipient-list-format';
import { toCampaignView } from './campaign.mapper';
import { UploadedRecipients } from './campaign-upload';
import { toSendBulkInput } from './dto/campaign-upload.query';
import { SendBulkService } from './send-bulk.service';

// Each upload parses and validates on two worker threads, as a list upload does (RecipientListsController);
// one per account.
const CONCURRENT_UPLOADS = 2;

/** Its POST body is streamed: the app's body parsers leave it unread (bootstrap). */
export const CAMPAIGN_UPLOAD_ROUTE = 'api/campaigns';

/** The campaign as GraphQL's Campaign shows its fields, and what the uploaded rows came to. */
export type UploadedCampaignBody = Omit<ReturnType<typeof toCampaignView>, 'record'> & {
  /** The rows of the body: counts and the first rejected rows; null when an idempotency key replayed. */
  upload: UploadedRecipients | null;
};

/**
 * POST /api/campaigns: a campaign and its recipients in one request. The body is a CSV or NDJSON list, as
 * POST /api/recipient-lists takes it, streamed; sendBulk's other fields are query parameters. 201 with the
 * campaign; 200 when an idempotency key returns the campaign it already created.
 */
@Controller(CAMPAIGN_UPLOAD_ROUTE)
export class CampaignUploadController {
  private readonly slots = new UploadSlots(CONCURRENT_UPLOADS, 'campaign upload');

  constructor(private readonly sendBulk: SendBulkService) {}

  @RequireScope(Scope.CAMPAIGNS_WRITE)
  @Post()
  async upload(
    @CurrentAccount() account: AuthenticatedAccount,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
    @Query() query: Record<string, unknown>,
  ): Promise<UploadedCampaignBody> {
    try {
      const input = await toSendBulkInput(query);
      const { phoneColumn, format } = query as { phoneColumn?: string; format?: string };
      const chosen = formatOf(format, request.headers['content-type']);
      assertUncompressed(request.headers['content-encoding']);
      const release = this.slots.take(account.accountId);
      try {
        const result = await this.sendBulk.sendUpload(account.accountId, input, {
          body: request,
          format: chosen,
          phoneColumn,
        });
        response.status(result.replayed ? 200 : 201);
        // eslint-disable-next-line @typescript-eslint/no-unused-vars
        const { record, ...campaign } = toCampaignView(result.campaign);
        return { ...campaign, upload: result.recipients };
      } finally {
        release();
      }
    } catch (error) {
      // The answer is sent once the body is read: a client still sending would otherwise never hear it.
      request.resume();
      throw error;
    }
  }
}
