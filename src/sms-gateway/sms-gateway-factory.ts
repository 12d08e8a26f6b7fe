import { PlivoEndpoint } from './plivo-endpoint';
import { PlivoSmsGateway } from './plivo-sms.gateway';
import { SmsGateway } from './sms-gateway';

/**
 * Builds a gateway for other credentials on the service's Plivo endpoint (the real API or the
 * sandbox): an account's own Plivo sub-account. A class so it can be a Nest DI token.
 */
export class SmsGatewayFactory {
  constructor(private readonly endpoint: PlivoEndpoint) {}

  forCredentials(authId: string, authToken: string): SmsGateway {
    return new PlivoSmsGateway({
      authId,
      authToken,
      apiUrl: this.endpoint.apiUrl,
      timeoutMs: this.endpoint.timeoutMs,
    });
  }
}
