import { HttpException, Injectable, Logger } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppConfig } from '../config/app-config.service';
import { DeliveryReportReceiver } from './delivery-report-receiver.service';
import { DeliveryReportMetrics } from './delivery-report.metrics';
import { PlivoSignatureGuard, WebhookRequest } from './plivo-signature.guard';
import { parseByteSize } from './webhook-body';

type BodyRequest = IncomingMessage & WebhookRequest & { body?: unknown; originalUrl: string };

const EMPTY = Buffer.alloc(0);

/**
 * The webhook's fast path: bootstrap.ts hands it requests for DELIVERY_REPORT_PATH straight from the
 * HTTP server, before Express. It reads the body with the small WEBHOOK_BODY_LIMIT (413 past it),
 * runs the same signature check (PlivoSignatureGuard.verify) and durable append
 * (DeliveryReportReceiver) as the controller, and answers itself. Skipping Express, its router, the
 * large parsers and per-request logging is what lets one core take thousands of reports per second.
 * Where it is not installed (e.g. a test module), DeliveryReportsController serves the route, same answers.
 */
@Injectable()
export class DeliveryReportBodyParser {
  private readonly logger = new Logger('DeliveryReportWebhook');
  private readonly limit: number;

  constructor(
    config: AppConfig,
    private readonly metrics: DeliveryReportMetrics,
    private readonly guard: PlivoSignatureGuard,
    private readonly receiver: DeliveryReportReceiver,
  ) {
    this.limit = parseByteSize(config.deliveryReports.webhookBodyLimit);
  }

  readonly middleware = (req: BodyRequest, res: ServerResponse, next: (error?: unknown) => void): void => {
    if (req.method !== 'POST' && req.method !== 'GET') {
      next();
      return;
    }
    // Mounted with app.use(path): express strips the path; the guard needs it back.
    req.originalUrl ??= req.url ?? '';
    if (req.method === 'GET') {
      this.handle(req, res, EMPTY);
      return;
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > this.limit) {
      this.refuse(req, res);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) {
        return;
      }
      size += chunk.length;
      if (size > this.limit) {
        refused = true;
        this.refuse(req, res);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!refused) {
        this.handle(req, res, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
      }
    });
    req.on('error', (error) => {
      if (!refused) {
        refused = true;
        next(error);
      }
    });
  };

  private handle(req: BodyRequest, res: ServerResponse, rawBody: Buffer): void {
    req.rawBody = rawBody;
    req.body = {};
    let pending: Promise<unknown>;
    try {
      pending = this.receiver.receive(this.guard.verify(req));
    } catch (error) {
      this.answerError(res, error);
      return;
    }
    pending.then(
      () => {
        res.writeHead(200, { 'Content-Length': '0' });
        res.end();
      },
      (error: unknown) => this.answerError(res, error),
    );
  }

  private answerError(res: ServerResponse, error: unknown): void {
    if (res.headersSent) {
      return;
    }
    const status = error instanceof HttpException ? error.getStatus() : 500;
    // 503 is load shedding (counted in bulk_sms_delivery_report_saturated_total): Plivo retries it.
    const shed = status === 503;
    if (status >= 500 && !shed) {
      this.logger.error(`Delivery report not stored: ${String(error)}`);
    }
    const code = shed
      ? 'SERVICE_UNAVAILABLE'
      : status === 403
        ? 'FORBIDDEN'
        : status === 413 || status === 400
          ? 'BAD_USER_INPUT'
          : 'INTERNAL_SERVER_ERROR';
    const message = status >= 500 && !shed ? 'Internal server error' : (error as Error).message;
    const body = JSON.stringify({ statusCode: status, code, message });
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  }

  private refuse(req: BodyRequest, res: ServerResponse): void {
    this.metrics.rejected.inc({ reason: 'too_large' });
    const body = JSON.stringify({
      statusCode: 413,
      code: 'BAD_USER_INPUT',
      message: `Delivery report body exceeds ${this.limit} bytes`,
    });
    res.writeHead(413, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(body),
      Connection: 'close',
    });
    res.end(body);
    // Discard the rest of the upload; the connection closes after the answer.
    req.resume();
  }
}
