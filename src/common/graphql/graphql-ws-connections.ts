import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { GraphQLError } from 'graphql';
import type { Context } from 'graphql-ws';
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { AppConfig } from '../../config/app-config.service';
import { ApiKeyRepository } from '../../persistence/api-key.repository';
import { ApiKeyService } from '../auth/api-key.service';
import { API_KEY_HEADER, AuthenticatedAccount } from '../auth/authenticated-account';
import { isSameOrigin, readSessionToken } from '../auth/console-session-cookie';
import { ConsoleSessionService } from '../auth/console-session.service';
import { RequestAuthenticator } from '../auth/request-authenticator';
import { ErrorCode } from '../errors/error-code.enum';

/** graphql-ws closes a refused connection with 4403 itself; these are ours. */
export const CLOSE_FORBIDDEN = 4403;
export const CLOSE_TOO_MANY_REQUESTS = 4429;
/** WebSocket's Going Away: graphql-ws clients reconnect after it (a completed subscription they take for its end). */
export const CLOSE_GOING_AWAY = 1001;
const GOING_AWAY_REASON = 'The service is restarting: reconnect';
const SESSION_ENDED_REASON = 'Forbidden: the console session has ended (signed out or expired)';

/** The per-connection state graphql-ws keeps for us: the account is set once, on connection_init. */
export interface WsExtra {
  readonly socket: WebSocket;
  readonly request: IncomingMessage;
  account?: AuthenticatedAccount;
}
export type WsContext = Context<Record<string, unknown> | undefined, WsExtra>;

/**
 * graphql-ws connections: authenticated once when they open, by key or console session (the same RequestAuthenticator as
 * HTTP, so the same per-address limit), at most WS_MAX_CONNECTIONS_PER_KEY per key and
 * WS_MAX_SUBSCRIPTIONS_PER_CONNECTION operations in flight per connection. Every
 * WS_AUTH_RECHECK_SECONDS the keys of open connections are looked up together; a revoked key's
 * connections are closed with 4403, and so are those opened with a console session that has ended
 * since (signed out or expired; a sign-out on this instance closes them at once).
 */
@Injectable()
export class GraphqlWsConnections implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(GraphqlWsConnections.name);
  private readonly socketsByKey = new Map<string, Set<WebSocket>>();
  // Connections opened with a console session, by the session's hash.
  private readonly socketsBySession = new Map<string, Set<WebSocket>>();
  private recheckTimer?: NodeJS.Timeout;
  private rechecking = false;

  constructor(
    private readonly config: AppConfig,
    private readonly authenticator: RequestAuthenticator,
    private readonly apiKeys: ApiKeyService,
    private readonly keys: ApiKeyRepository,
    private readonly sessions: ConsoleSessionService,
  ) {}

  onModuleInit(): void {
    this.sessions.onEnded((tokenHash) => this.closeSession(tokenHash));
    this.recheckTimer = setInterval(() => void this.closeRevoked(), this.config.websocket.authRecheckMs);
    this.recheckTimer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.recheckTimer);
  }

  /** graphql-ws `onConnect`: false refuses with 4403; throttled and over-cap connections get 4429. */
  async accept(ctx: WsContext): Promise<boolean> {
    const key = ctx.connectionParams?.[API_KEY_HEADER];
    const address = ctx.extra.request.socket.remoteAddress ?? 'unknown';
    // Without a key, the web console's session cookie, only from a page of this origin (browsers
    // send cookies with cross-site WebSocket upgrades, and SameSite is not enough against that).
    const headers = ctx.extra.request.headers;
    const sessionToken = typeof key === 'string' ? undefined : readSessionToken(headers);
    const outcome =
      sessionToken && isSameOrigin(headers, true)
        ? await this.authenticator.authenticateSession(sessionToken, address)
        : await this.authenticator.authenticate(typeof key === 'string' ? key : undefined, address);
    if (outcome.kind === 'throttled') {
      ctx.extra.socket.close(CLOSE_TOO_MANY_REQUESTS, 'Too many requests without a valid API key');
      return false;
    }
    // Refused, or the client left while its key was looked up (its close event has passed).
    if (outcome.kind === 'refused' || ctx.extra.socket.readyState !== ctx.extra.socket.OPEN) {
      return false;
    }
    const { apiKeyId } = outcome.account;
    if ((this.socketsByKey.get(apiKeyId)?.size ?? 0) >= this.config.websocket.maxConnectionsPerKey) {
      ctx.extra.socket.close(CLOSE_TOO_MANY_REQUESTS, 'Too many connections for this API key');
      return false;
    }
    const socket = ctx.extra.socket;
    track(this.socketsByKey, apiKeyId, socket);
    if (sessionToken && isSameOrigin(headers, true)) {
      track(this.socketsBySession, this.sessions.hashOf(sessionToken), socket);
    }
    ctx.extra.account = outcome.account;
    return true;
  }

  /** graphql-ws `onSubscribe`: errors when the connection already runs its maximum of operations. */
  overSubscriptionCap(ctx: WsContext): GraphQLError[] | undefined {
    // graphql-ws registers the new operation before calling onSubscribe.
    const max = this.config.websocket.maxSubscriptionsPerConnection;
    if (Object.keys(ctx.subscriptions).length <= max) {
      return undefined;
    }
    return [
      new GraphQLError(`Too many subscriptions on this connection: at most ${max} at a time`, {
        extensions: { code: ErrorCode.TOO_MANY_REQUESTS },
      }),
    ];
  }

  /**
   * Closes every open connection with 1001 as the service stops, once the operations in flight have
   * finished and before the modules stop: clients reconnect (to this instance once it is back, or to
   * another behind the load balancer) and subscribe again, each subscription starting with a fresh
   * snapshot. Left to the modules' stop, subscriptions were completed first, which a client takes for
   * their end: the CLI stopped following a campaign when the service restarted.
   */
  closeAllForShutdown(): void {
    let closed = 0;
    for (const sockets of this.socketsByKey.values()) {
      for (const socket of sockets) {
        socket.close(CLOSE_GOING_AWAY, GOING_AWAY_REASON);
        closed++;
      }
    }
    if (closed > 0) {
      this.logger.log(`Closed ${closed} graphql-ws connection(s) with ${CLOSE_GOING_AWAY}: their clients reconnect`);
    }
  }

  /** Closes, with 4403, this instance's connections of a key just revoked here. */
  closeKey(apiKeyId: string): void {
    for (const socket of this.socketsByKey.get(apiKeyId) ?? []) {
      socket.close(CLOSE_FORBIDDEN, 'Forbidden: the API key was revoked');
    }
  }

  /** Closes, with 4403, this instance's connections opened with a console session just signed out here. */
  closeSession(tokenHash: string): void {
    for (const socket of this.socketsBySession.get(tokenHash) ?? []) {
      socket.close(CLOSE_FORBIDDEN, SESSION_ENDED_REASON);
    }
  }

  /**
   * Closes, with 4403, the connections whose key was revoked (on any instance) since they opened,
   * and those whose console session has ended since (signed out on another instance, or expired).
   */
  async closeRevoked(): Promise<void> {
    if (this.rechecking || this.socketsByKey.size === 0) {
      return;
    }
    this.rechecking = true;
    try {
      const keyIds = [...this.socketsByKey.keys()];
      const active = new Set(await this.keys.findActiveKeyIds(keyIds));
      for (const keyId of keyIds.filter((id) => !active.has(id))) {
        this.apiKeys.forgetKey(keyId);
        this.sessions.forgetKey(keyId);
        for (const socket of this.socketsByKey.get(keyId) ?? []) {
          socket.close(CLOSE_FORBIDDEN, 'Forbidden: the API key was revoked');
        }
      }
      const sessionHashes = [...this.socketsBySession.keys()];
      const activeSessions = new Set(await this.sessions.activeHashes(sessionHashes));
      sessionHashes.filter((hash) => !activeSessions.has(hash)).forEach((hash) => this.closeSession(hash));
    } catch (error) {
      // The database may be briefly unavailable: keep the connections, check again next time.
      this.logger.warn(`Could not recheck the keys of open graphql-ws connections: ${String(error)}`);
    } finally {
      this.rechecking = false;
    }
  }
}

/** Adds the socket to its group, and removes it (and the group once empty) when it closes. */
function track(groups: Map<string, Set<WebSocket>>, key: string, socket: WebSocket): void {
  const sockets = groups.get(key) ?? new Set<WebSocket>();
  sockets.add(socket);
  groups.set(key, sockets);
  socket.once('close', () => {
    sockets.delete(socket);
    if (sockets.size === 0 && groups.get(key) === sockets) {
      groups.delete(key);
    }
  });
}
