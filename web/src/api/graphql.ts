import { createClient, type Client } from 'graphql-ws';

/** Sent on every request: the server's CSRF rule for cookie-authenticated requests wants it. */
const CONSOLE_HEADERS = { 'content-type': 'application/json', 'x-console-request': '1' };

export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly status: number,
  ) {
    super(message);
  }
}

interface GraphqlResponse<T> {
  data?: T | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

let onUnauthenticated: () => void = () => undefined;

/** Called when the server says the session ended: the app goes back to sign-in. */
export function whenUnauthenticated(handler: () => void): void {
  onUnauthenticated = handler;
}

/**
 * A query or mutation over HTTP, authenticated by the session cookie. A tiny fetch wrapper rather
 * than Apollo Client or urql: the console needs no normalised cache, and this keeps the first load small.
 */
export async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch('/graphql', {
    method: 'POST',
    credentials: 'same-origin',
    headers: CONSOLE_HEADERS,
    body: JSON.stringify({ query, variables }),
  });
  let body: GraphqlResponse<T>;
  try {
    body = (await response.json()) as GraphqlResponse<T>;
  } catch {
    throw new ApiError(`The server answered ${response.status} without a GraphQL body`, undefined, response.status);
  }
  const error = body.errors?.[0];
  if (error) {
    const code = error.extensions?.code;
    if (code === 'UNAUTHENTICATED') {
      onUnauthenticated();
    }
    throw new ApiError(error.message, code, response.status);
  }
  if (!body.data) {
    throw new ApiError('The server answered without data', undefined, response.status);
  }
  return body.data;
}

/** JSON REST calls (sign-in, and later the upload and export endpoints). */
export async function rest<T>(method: string, path: string, body?: unknown): Promise<T | undefined> {
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: CONSOLE_HEADERS,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 204) {
    return undefined;
  }
  const json = (await response.json().catch(() => ({}))) as { message?: string; code?: string } & T;
  if (!response.ok) {
    throw new ApiError(json.message ?? `HTTP ${response.status}`, json.code, response.status);
  }
  return json;
}

let wsClient: Client | undefined;

/** One graphql-ws connection for the whole app; the browser sends the session cookie with the upgrade. */
export function subscriptions(): Client {
  if (!wsClient) {
    const protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    wsClient = createClient({
      url: `${protocol}//${location.host}/graphql`,
      lazy: true,
      retryAttempts: 20,
      shouldRetry: () => true,
      on: {
        closed: (event) => {
          if ((event as CloseEvent | undefined)?.code === 4403) {
            onUnauthenticated();
          }
        },
      },
    });
  }
  return wsClient;
}

export function closeSubscriptions(): void {
  void wsClient?.dispose();
  wsClient = undefined;
}

/** Subscribes; returns the function that ends the subscription. */
export function subscribe<T>(
  query: string,
  variables: Record<string, unknown>,
  onData: (data: T) => void,
  onError?: (message: string) => void,
): () => void {
  return subscriptions().subscribe<T>(
    { query, variables },
    {
      next: (result) => {
        if (result.data) {
          onData(result.data);
        } else if (result.errors?.[0]) {
          onError?.(result.errors[0].message);
        }
      },
      error: (error: unknown) => onError?.(error instanceof Error ? error.message : 'Live updates were interrupted'),
      complete: () => undefined,
    },
  );
}
