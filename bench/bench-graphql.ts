/** A GraphQL request to the service under benchmark; its errors are thrown. */
export async function graphql<T>(
  base: string,
  apiKey: string,
  query: string,
  variables: Record<string, unknown>,
): Promise<T> {
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  if (body.errors || !body.data) {
    throw new Error(JSON.stringify(body.errors ?? body));
  }
  return body.data;
}
