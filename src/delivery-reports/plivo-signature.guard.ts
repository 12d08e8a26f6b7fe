import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Injectable,
  Logger,
  PayloadTooLargeException,
} from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import { verifyPlivoV3 } from '../common/plivo-signature/plivo-v3-signature';
import { AppConfig } from '../config/app-config.service';
import { ProviderAccount } from '../sms-gateway/provider-account';
import { DeliveryReportMetrics, WebhookRejectReason } from './delivery-report.metrics';
import { CallbackParams } from './plivo-callback';
import { flattenParams, parseByteSize, queryParams, signedBodyParams } from './webhook-body';

export const SIGNATURE_V3_HEADER = 'x-plivo-signature-v3';
export const SIGNATURE_MA_V3_HEADER = 'x-plivo-signature-ma-v3';
export const SIGNATURE_NONCE_HEADER = 'x-plivo-signature-v3-nonce';

/** What the guard attaches to a request whose signature it verified. */
export interface VerifiedCallback {
  nonce: string;
  /** Plivo's fields (POST body, or GET query), one value each. */
  params: CallbackParams;
  /** Our batch id from the callback URL, if any. */
  batchId: string | undefined;
}

export interface WebhookRequest {
  method: string;
  originalUrl: string;
  headers: IncomingHttpHeaders;
  rawBody?: Buffer;
  plivoCallback?: VerifiedCallback;
}

/**
 * V3 / Ma-V3 signature check over the URL Plivo called (API_BASE_URL + path + query as received),
 * the sorted parameters and the nonce, against every accepted secret, in constant time. No V2
 * fallback. Also refuses bodies over WEBHOOK_BODY_LIMIT (413), as a second line behind the body parser.
 */
@Injectable()
export class PlivoSignatureGuard implements CanActivate {
  private readonly logger = new Logger(PlivoSignatureGuard.name);
  private readonly limit: number;
  private readonly baseUrl: string;

  constructor(
    config: AppConfig,
    private readonly account: ProviderAccount,
    private readonly metrics: DeliveryReportMetrics,
  ) {
    this.limit = parseByteSize(config.deliveryReports.webhookBodyLimit);
    this.baseUrl = config.apiBaseUrl;
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<WebhookRequest>();
    request.plivoCallback = this.verify(request);
    return true;
  }

  /** Throws 413 or 403; returns the verified callback. */
  verify(request: WebhookRequest): VerifiedCallback {
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > this.limit || (request.rawBody?.length ?? 0) > this.limit) {
      this.metrics.rejected.inc({ reason: 'too_large' });
      throw new PayloadTooLargeException(`Delivery report body exceeds ${this.limit} bytes`);
    }
    const v3 = header(request.headers, SIGNATURE_V3_HEADER);
    const maV3 = header(request.headers, SIGNATURE_MA_V3_HEADER);
    const nonce = header(request.headers, SIGNATURE_NONCE_HEADER);
    if (!v3 && !maV3) {
      this.reject('missing_signature');
    }
    if (!nonce) {
      this.reject('missing_nonce');
    }
    const method = request.method === 'GET' ? 'GET' : 'POST';
    const url = this.baseUrl + request.originalUrl;
    const query = queryParams(request.originalUrl);
    const params = method === 'GET' ? {} : signedBodyParams(request.rawBody, header(request.headers, 'content-type'));
    // The main account's secrets only: a sub-account's messages carry V3 signed with its own token,
    // but Ma-V3 with the main account's, which is what verifies them (docs/production.md section 6).
    const secrets = this.account.webhookSecrets;
    const valid = [v3, maV3].some(
      (signatureHeader) =>
        signatureHeader !== undefined && verifyPlivoV3({ method, url, nonce, signatureHeader, secrets, params }),
    );
    if (!valid) {
      this.reject('bad_signature');
    }
    const flatQuery = flattenParams(query);
    return {
      nonce,
      params: method === 'GET' ? flatQuery : flattenParams(params),
      batchId: flatQuery.batch ?? flatQuery.b,
    };
  }

  private reject(reason: WebhookRejectReason): never {
    this.metrics.rejected.inc({ reason });
    // Never log the signature or the body: only why.
    this.logger.warn(`Webhook refused: ${reason}`);
    throw new ForbiddenException('Invalid Plivo signature');
  }
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? undefined : first;
}
