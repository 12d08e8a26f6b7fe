import { Controller, HttpCode, Post, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import { AuthenticatedAccount } from '../common/auth/authenticated-account';
import { CurrentAccount } from '../common/auth/current-account.decorator';
import { RequireScope } from '../common/auth/require-scope.decorator';
import { Scope } from '../common/auth/scope.enum';
import { UploadSlots } from '../common/http/upload-slots';
import { AccountSettingsRepository } from '../persistence/account-settings.repository';
import { assertUncompressed, formatOf } from './recipient-list-format';
import { RecipientListUploadService } from './recipient-list-upload.service';
import { RecipientListSummary } from './recipient-list.summary';

// Each upload parses and validates on two worker threads; two uploads at a time (one per account) keep the
// event loop and the database answering everything else.
const CONCURRENT_UPLOADS = 2;

/** Its POST body is streamed: the app's body parsers leave it unread (bootstrap). */
export const RECIPIENT_LISTS_ROUTE = 'api/recipient-lists';

/** POST /api/recipient-lists: a CSV or NDJSON body, streamed (x-api-key like every API route). */
@Controller(RECIPIENT_LISTS_ROUTE)
export class RecipientListsController {
  private readonly slots = new UploadSlots(CONCURRENT_UPLOADS, 'upload');

  constructor(
    private readonly uploads: RecipientListUploadService,
    private readonly accountSettings: AccountSettingsRepository,
  ) {}

  // Storing recipients is preparing a send: the sending scope, like sendBulk.
  @RequireScope(Scope.CAMPAIGNS_WRITE)
  @Post()
  @HttpCode(201)
  async upload(
    @CurrentAccount() account: AuthenticatedAccount,
    @Req() request: Request,
    @Query('phoneColumn') phoneColumn?: string,
    @Query('defaultCountry') defaultCountry?: string,
    @Query('format') format?: string,
  ): Promise<RecipientListSummary> {
    const chosen = formatOf(format, request.headers['content-type']);
    assertUncompressed(request.headers['content-encoding']);
    let release: () => void;
    try {
      release = this.slots.take(account.accountId);
    } catch (error) {
      request.resume();
      throw error;
    }
    try {
      // Numbers without a country code are read in the account's default country when the request names none.
      const country =
        defaultCountry ?? (await this.accountSettings.find(account.accountId))?.defaultCountry ?? undefined;
      return await this.uploads.upload(account.accountId, request, {
        format: chosen,
        phoneColumn,
        defaultCountry: country,
      });
    } finally {
      release();
    }
  }
}
