import { AppConfig } from '../config/app-config.service';

/**
 * The Plivo endpoint the gateway talks to: the real account, or a sandbox speaking the same API.
 * Chosen at the composition root (`SmsGatewayModule.forRoot`); a class so it can be a Nest DI token.
 */
export abstract class PlivoEndpoint {
  abstract readonly mode: 'plivo' | 'sandbox';
  abstract readonly authId: string;
  abstract readonly authToken: string;
  /** Base URL ending in `/Account/`; the auth id is appended by the gateway. */
  abstract readonly apiUrl: string;
  abstract readonly senderId: string;
  /** Secrets delivery-report signatures are checked against (several during rotation). */
  abstract readonly webhookSecrets: readonly string[];
  abstract readonly timeoutMs: number;
}

/** The real account from PLIVO_*, or undefined when none is configured (sandbox mode). */
export function plivoAccountEndpoint(config: AppConfig): PlivoEndpoint | undefined {
  const plivo = config.plivo;
  if (!plivo) {
    return undefined;
  }
  return {
    mode: 'plivo',
    authId: plivo.authId,
    authToken: plivo.authToken,
    apiUrl: plivo.apiUrl,
    senderId: plivo.senderId,
    webhookSecrets: config.webhookSecret ? [config.webhookSecret] : [],
    timeoutMs: plivo.timeoutMs,
  };
}
