/** Which provider account the gateway talks to; a class so it can be a Nest DI token. */
export class ProviderAccount {
  constructor(
    readonly mode: 'plivo' | 'sandbox',
    readonly authId: string,
    readonly senderId: string,
    /** Secrets delivery-report signatures are checked against (several during rotation). */
    readonly webhookSecrets: string[],
  ) {}
}
