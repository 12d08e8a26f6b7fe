import { createClient, Client as WsClient } from 'graphql-ws';
import WebSocket from 'ws';

export interface GraphqlResponse<T> {
  status: number;
  data?: T;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

/** A plain HTTP GraphQL client, as any outside client would call the service. */
export async function graphql<T = Record<string, unknown>>(
  baseUrl: string,
  apiKey: string | undefined,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GraphqlResponse<T>> {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(apiKey !== undefined && { 'x-api-key': apiKey }) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as Omit<GraphqlResponse<T>, 'status'>;
  return { status: response.status, ...body };
}

/** A graphql-ws client over a real WebSocket. */
export function wsClient(baseUrl: string, apiKey: string | undefined): WsClient {
  return createClient({
    url: `${baseUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: apiKey === undefined ? {} : { 'x-api-key': apiKey },
    retryAttempts: 0,
    lazy: true,
  });
}
