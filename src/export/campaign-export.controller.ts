import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CurrentAccount } from '../common/auth/current-account.decorator';
import { AuthenticatedAccount } from '../common/auth/authenticated-account';
import { RequireScope } from '../common/auth/require-scope.decorator';
import { Scope } from '../common/auth/scope.enum';
import { DomainError } from '../common/errors/domain-error';
import { ErrorCode } from '../common/errors/error-code.enum';
import { ExportFormat } from '../persistence/export-page-query';
import { exportHeader } from './export-formats';
import { parseExportQuery } from './export-query';
import { MessageExportService } from './message-export.service';

// Exports are long reads: a few at a time per account, so one tenant cannot hold every connection.
const EXPORTS_PER_ACCOUNT = 2;

/**
 * `GET /api/campaigns/:id/messages.csv` and `.ndjson`: one row per recipient, streamed with the
 * response's backpressure. Authenticated by x-api-key like every non-public route (ApiKeyGuard),
 * with the campaigns:read scope;
 * another account's campaign is a 404. `X-Total-Count` carries the row count for progress bars.
 */
@RequireScope(Scope.CAMPAIGNS_READ)
@Controller('api/campaigns')
export class CampaignExportController {
  private readonly running = new Map<string, number>();

  constructor(private readonly exports: MessageExportService) {}

  @Get(':id/messages.csv')
  csv(
    @CurrentAccount() account: AuthenticatedAccount,
    @Param('id') id: string,
    @Query() query: Record<string, unknown>,
    @Res() response: Response,
  ): Promise<void> {
    const { statuses, bom } = parseExportQuery(query);
    return this.stream(account, id, statuses, response, 'csv', 'text/csv; charset=utf-8', bom);
  }

  @Get(':id/messages.ndjson')
  ndjson(
    @CurrentAccount() account: AuthenticatedAccount,
    @Param('id') id: string,
    @Query() query: Record<string, unknown>,
    @Res() response: Response,
  ): Promise<void> {
    const { statuses } = parseExportQuery(query);
    return this.stream(account, id, statuses, response, 'ndjson', 'application/x-ndjson; charset=utf-8', false);
  }

  private async stream(
    account: AuthenticatedAccount,
    id: string,
    statuses: Parameters<MessageExportService['open']>[2],
    response: Response,
    format: ExportFormat,
    contentType: string,
    bom: boolean,
  ): Promise<void> {
    const running = this.running.get(account.accountId) ?? 0;
    if (running >= EXPORTS_PER_ACCOUNT) {
      throw new DomainError(
        ErrorCode.TOO_MANY_REQUESTS,
        `At most ${EXPORTS_PER_ACCOUNT} exports at a time per account`,
      );
    }
    this.running.set(account.accountId, running + 1);
    try {
      const opened = await this.exports.open(account.accountId, id, statuses, format);
      const suffix = statuses.length > 0 ? `-${statuses.join('-').toLowerCase()}` : '';
      response.status(200);
      response.setHeader('Content-Type', contentType);
      response.setHeader(
        'Content-Disposition',
        `attachment; filename="campaign-${opened.campaign.id}${suffix}.${format}"`,
      );
      response.setHeader('X-Total-Count', String(opened.total));
      response.setHeader('Cache-Control', 'no-store');
      // Once the first byte is out the status cannot change: a failure mid-way ends the response
      // early (the client sees a truncated body and a connection error, not a complete-looking file).
      // One page in flight at a time: memory stays a page or two, whatever the campaign's size.
      const body = Readable.from(withHeader(exportHeader(format, bom), opened.parts), { highWaterMark: 1 });
      await pipeline(body, response).catch((error: unknown) => {
        if (!response.headersSent) {
          throw error;
        }
        response.destroy(error instanceof Error ? error : new Error(String(error)));
      });
    } finally {
      const left = (this.running.get(account.accountId) ?? 1) - 1;
      if (left === 0) {
        this.running.delete(account.accountId);
      } else {
        this.running.set(account.accountId, left);
      }
    }
  }
}

async function* withHeader(header: string, parts: AsyncGenerator<string>): AsyncGenerator<string> {
  if (header !== '') {
    yield header;
  }
  yield* parts;
}
