import { Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';

/** A GraphQL error as the service reports it: `extensions.code` and a message for people. */
export class GraphqlApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'GraphqlApiError';
  }

  /** "CODE: message", with a hint where the code has an obvious remedy. */
  describe(): string {
    const hint =
      this.code === 'UNAUTHENTICATED'
        ? ' (wrong or missing API key: pass --key, set BULK_SMS_API_KEY, or give --data-dir the DATA_DIR the service runs with)'
        : this.code === 'FORBIDDEN'
          ? ' (this key lacks the scope: ask the admin for a key with it)'
          : '';
    return `${this.code}: ${this.message}${hint}`;
  }
}

interface GraphqlErrorBody {
  message?: string;
  extensions?: { code?: unknown };
}

interface GraphqlBody<T> {
  data?: T | null;
  errors?: GraphqlErrorBody[];
}

export interface SubscriptionHandlers<T> {
  next(data: T): void;
  error(error: GraphqlApiError): void;
  complete(): void;
}

// graphql-ws close code the service uses when it refuses the connection's API key.
const FORBIDDEN_CLOSE_CODE = 4403;

/** The service's GraphQL API: queries and mutations over HTTP, subscriptions over graphql-ws. */
export class GraphqlApiClient {
  private ws?: Client;

  constructor(
    readonly url: string,
    private readonly apiKey: string,
  ) {}

  /**
   * A GET of one of the service's REST routes (exports) with the same key; a non-2xx answer
   * becomes a GraphqlApiError carrying the service's message.
   */
  async get(path: string): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(`${this.url}${path}`, { headers: { 'x-api-key': this.apiKey } });
    } catch (error) {
      throw new GraphqlApiError('UNREACHABLE', `cannot reach the service at ${this.url} (${causeOf(error)})`);
    }
    if (!response.ok) {
      const body = (await response.json().catch(() => ({}))) as { code?: string; message?: string };
      throw new GraphqlApiError(body.code ?? `HTTP_${response.status}`, body.message ?? `HTTP ${response.status}`);
    }
    return response;
  }

  async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': this.apiKey },
        body: JSON.stringify({ query, variables }),
      });
    } catch (error) {
      throw new GraphqlApiError('UNREACHABLE', `cannot reach the service at ${this.url} (${causeOf(error)})`);
    }
    let body: GraphqlBody<T>;
    try {
      body = (await response.json()) as GraphqlBody<T>;
    } catch {
      throw new GraphqlApiError(
        `HTTP_${response.status}`,
        `the service at ${this.url} answered HTTP ${response.status} without a GraphQL body`,
      );
    }
    if (body.errors?.length) {
      throw toApiError(body.errors[0]);
    }
    if (!body.data) {
      throw new GraphqlApiError(`HTTP_${response.status}`, 'the service answered without data');
    }
    return body.data;
  }

  /** Subscribes over graphql-ws; returns a function that unsubscribes. */
  subscribe<T>(query: string, variables: Record<string, unknown>, handlers: SubscriptionHandlers<T>): () => void {
    this.ws ??= createClient({
      url: `${this.url.replace(/^http/, 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { 'x-api-key': this.apiKey },
      // A dropped connection is retried (the service sends a fresh snapshot on resubscribe); a refused key is not.
      retryAttempts: 5,
      shouldRetry: (event) => !(isCloseEvent(event) && event.code === FORBIDDEN_CLOSE_CODE),
    });
    return this.ws.subscribe<T>(
      { query, variables },
      {
        next: (result) => {
          if (result.errors?.length) {
            handlers.error(toApiError(result.errors[0]));
          } else if (result.data) {
            handlers.next(result.data);
          }
        },
        error: (error: unknown) => handlers.error(toSubscriptionError(error, this.url)),
        complete: () => handlers.complete(),
      },
    );
  }

  async close(): Promise<void> {
    await this.ws?.dispose();
    this.ws = undefined;
  }
}

function toApiError(error: GraphqlErrorBody): GraphqlApiError {
  const code = typeof error.extensions?.code === 'string' ? error.extensions.code : 'GRAPHQL_ERROR';
  return new GraphqlApiError(code, error.message ?? 'unknown error');
}

function toSubscriptionError(error: unknown, url: string): GraphqlApiError {
  if (Array.isArray(error) && error.length > 0) {
    return toApiError(error[0] as GraphqlErrorBody);
  }
  if (isCloseEvent(error)) {
    return error.code === FORBIDDEN_CLOSE_CODE
      ? new GraphqlApiError('UNAUTHENTICATED', 'the service refused the API key')
      : new GraphqlApiError(
          'CONNECTION_CLOSED',
          `the connection to ${url} closed (${error.code}${error.reason ? `: ${error.reason}` : ''})`,
        );
  }
  return new GraphqlApiError('UNREACHABLE', `cannot reach the service at ${url} (${causeOf(error)})`);
}

function isCloseEvent(value: unknown): value is { code: number; reason?: string } {
  return typeof value === 'object' && value !== null && typeof (value as { code?: unknown }).code === 'number';
}

function causeOf(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? cause.message || cause.name : error.message;
  }
  if (typeof error === 'object' && error !== null && 'message' in error) {
    return String(error.message);
  }
  return String(error);
}
