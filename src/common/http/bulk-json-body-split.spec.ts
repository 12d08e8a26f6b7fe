import { BulkJsonBodyResult, splitBulkJsonBody, unpackRecipients } from './bulk-json-body-split';

const QUERY = 'mutation($input: SendBulkInput!) { sendBulk(input: $input) { id } }';

function split(body: unknown, maxRecipients = 1_000_000): BulkJsonBodyResult {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return splitBulkJsonBody({ bytes: new TextEncoder().encode(text), maxRecipients });
}

/** The split of a sendBulk body with these recipients; fails the test if the body fell back. */
function splitSendBulk(recipients: string[]): Extract<BulkJsonBodyResult, { kind: 'split' }> {
  const result = split(sendBulk(recipients));
  if (result.kind !== 'split') {
    throw new Error(`expected the body to be split, got ${result.kind}`);
  }
  return result;
}

function sendBulk(recipients: unknown[]): unknown {
  return { query: QUERY, variables: { input: { recipients, text: 'Hello', name: 'n' } } };
}

describe(splitBulkJsonBody.name, () => {
  it('should pack the recipients, leave [] in their place and keep the rest of the body as sent', async () => {
    const recipients = ['+14155550100', ' 020 7946 0958 ', '', 'ünïcödé 📱', 'a\nb', '+4915112345678'];
    const result = splitSendBulk(recipients);
    expect(result.body).toEqual({ query: QUERY, variables: { input: { recipients: [], text: 'Hello', name: 'n' } } });
    expect(result.byteLength).toBe(new TextEncoder().encode(JSON.stringify(sendBulk(recipients))).byteLength);
    // A character past U+00FF: the text stays a string.
    expect(typeof result.recipients.text).toBe('string');
    expect(await unpackRecipients(result.recipients)).toEqual(recipients);
    // Sliced small, the same strings in the same order.
    expect(await unpackRecipients(result.recipients, 2)).toEqual(recipients);
  });

  it('should pack a list whose every character fits in one byte as Latin-1 bytes, and unpack it as sent', async () => {
    const recipients = ['+14155550100', ' 020 7946 0958 ', '', 'café\u00ff', '+4915112345678', 'x'];
    const result = splitSendBulk(recipients);
    const { text, ends } = result.recipients;
    expect(text).toBeInstanceOf(Uint8Array);
    // A buffer of its own, to be moved to the event loop's thread whole.
    expect((text as Uint8Array).byteLength).toBe((text as Uint8Array).buffer.byteLength);
    expect(Array.from(ends)).toEqual([12, 27, 27, 32, 46, 47]);
    expect(await unpackRecipients(result.recipients)).toEqual(recipients);
    for (const sliceSize of [1, 2, 4]) {
      expect(await unpackRecipients(result.recipients, sliceSize)).toEqual(recipients);
    }
  });

  it('should keep the list a string when its only character past U+00FF is its last', async () => {
    const recipients = ['+14155550100', 'caf\u00e9\u00ff', '+4915112345678\u0100'];
    const result = splitSendBulk(recipients);
    expect(result.recipients.text).toBe(recipients.join(''));
    expect(await unpackRecipients(result.recipients)).toEqual(recipients);
  });

  it('should leave a body that is not UTF-8 to body-parser, which refuses it', () => {
    const latin1 = Buffer.from(JSON.stringify(sendBulk(['+14155550100'])).replace('Hello', 'Gr\xfc\xdfe'), 'latin1');
    const result = splitBulkJsonBody({ bytes: latin1, maxRecipients: 10 });
    expect(result).toEqual({ kind: 'fallback', bytes: latin1 });
  });

  it('should read UTF-8 with a leading byte order mark, as body-parser does', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(JSON.stringify(sendBulk(['+1'])))]);
    expect(splitBulkJsonBody({ bytes, maxRecipients: 10 }).kind).toBe('split');
  });

  it.each([
    ['not JSON', '{"query": '],
    ['JSON that is not an object', '["a"]'],
    ['no variables', { query: QUERY }],
    ['no input', { query: QUERY, variables: { other: { recipients: ['+1'] } } }],
    ['recipients that are not a list', sendBulk('+14155550100' as unknown as unknown[])],
    ['an empty list', sendBulk([])],
    ['a recipient that is not a string', sendBulk(['+14155550100', 14155550101])],
    ['a null recipient', sendBulk(['+14155550100', null])],
    ['a recipient with a NUL character', sendBulk(['+14155550100', '+1415\u00005550101'])],
    ['a recipient with an unpaired surrogate', sendBulk(['+14155550100', '\ud800'])],
    ['more recipients than a campaign may have', sendBulk(['+1', '+2', '+3', '+4'])],
  ])('should give the bytes back, unchanged, for %s', (_case, body) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const result = split(body, 3);
    expect(result.kind).toBe('fallback');
    if (result.kind === 'fallback') {
      expect(new TextDecoder().decode(result.bytes)).toBe(text);
    }
  });
});
