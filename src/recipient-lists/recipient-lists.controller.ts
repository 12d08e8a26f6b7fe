import { Controller, HttpCode, Post, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import { AuthenticatedAccount } from '../common/auth/authenticated-account';
import { CurrentAccount } from '../common/auth/current-account.decorator';
import { RequireScope } from '../common/auth/require-scope.decorator';
import { Scope } from '../common/auth/scope.enum';
import { DomainError } from '../common/errors/domain-error';
import { ErrorCode } from '../common/errors/error-code.enum';
import { AccountSettingsRepository } from '../persistence/account-settings.repository';
import { assertUncompressed, formatOf } from './recipient-list-format';
import { RecipientListUploadService } from './recipient-list-upload.service';
import { RecipientListSummary } from './recipient-list.summary';

// Each upload parses and validates on two worker threads; two uploads at a time keep the event loop and
// the database answering everything else.
const CONCURRENT_UPLOADS = 2;

/** POST /api/recipient-lists: a CSV or NDJSON body, streamed (x-api-key like every API route). */
@Controller('api/recipient-lists')
export class RecipientListsController {
  private uploading = 0;

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
    if (this.uploading >= CONCURRENT_UPLOADS) {
      request.resume();
      throw new DomainError(
        ErrorCode.TOO_MANY_REQUESTS,
        `at most ${CONCURRENT_UPLOADS} uploads at a time; retry shortly`,
      );
    }
    this.uploading++;
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
      this.uploading--;
    }
  }
}
