import { randomBytes } from 'node:crypto';

/** A Plivo account the sandbox knows: the main account, or one of its sub-accounts. */
export interface SandboxAccount {
  authId: string;
  authToken: string;
  /** null for the main account. */
  name: string | null;
  enabled: boolean;
  isSubaccount: boolean;
  createdAt: number;
}

/**
 * The main account and its sub-accounts (Plivo's Subaccount API: each has its own auth id and
 * token; messages it sends are its own, callbacks are signed V3 with its token and Ma-V3 with the
 * main account's). Sub-accounts live as long as the sandbox (a reset keeps them, like credentials).
 */
export class SandboxAccounts {
  private readonly subaccounts = new Map<string, SandboxAccount>();

  constructor(
    private readonly main: () => { authId: string; authToken: string },
    /** Told of each new sub-account (the journal of a sandbox that outlives restarts). */
    private readonly onCreate: (account: SandboxAccount) => void = () => undefined,
  ) {}

  /** Sub-accounts a restarted sandbox had created before. */
  restore(accounts: SandboxAccount[]): void {
    accounts.forEach((account) => this.subaccounts.set(account.authId, account));
  }

  /** Like Plivo: `SA` + 18 characters, and a 40-character token. */
  create(name: string, enabled: boolean, now: number): SandboxAccount {
    let authId: string;
    do {
      authId = `SA${randomBytes(9).toString('hex').toUpperCase()}`;
    } while (this.subaccounts.has(authId));
    const account: SandboxAccount = {
      authId,
      authToken: randomBytes(20).toString('hex'),
      name,
      enabled,
      isSubaccount: true,
      createdAt: now,
    };
    this.subaccounts.set(authId, account);
    this.onCreate(account);
    return account;
  }

  subaccount(authId: string): SandboxAccount | undefined {
    return this.subaccounts.get(authId);
  }

  list(): SandboxAccount[] {
    return [...this.subaccounts.values()];
  }

  /**
   * The account whose id is in the path and whose Basic credentials match it, or undefined (401).
   * A disabled sub-account cannot authenticate, as on Plivo.
   */
  authenticate(pathId: string, authorization: string | undefined): SandboxAccount | undefined {
    const header = authorization ?? '';
    if (!header.startsWith('Basic ')) {
      return undefined;
    }
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0 || decoded.slice(0, colon) !== pathId) {
      return undefined;
    }
    const token = decoded.slice(colon + 1);
    const main = this.main();
    if (pathId === main.authId) {
      return token === main.authToken ? this.mainAccount() : undefined;
    }
    const sub = this.subaccounts.get(pathId);
    return sub && sub.enabled && sub.authToken === token ? sub : undefined;
  }

  mainAccount(): SandboxAccount {
    const { authId, authToken } = this.main();
    return { authId, authToken, name: null, enabled: true, isSubaccount: false, createdAt: 0 };
  }
}
