import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { HttpException, HttpStatus } from '@nestjs/common';
import { UserInputError } from '../common/errors/domain-error';
import { MAX_RECIPIENTS_PER_CAMPAIGN } from '../campaigns/dto/send-bulk.input';
import { TooManyRecipientsError } from './recipient-list-builder';
import { CsvFormatError } from './recipient-list-ingest';
import { RecordTooLongError } from './record-splitter';

/**
 * The chunks of an uploaded body (a recipient list, or a campaign's recipients) as they arrive, refused as
 * soon as it is declared or found larger than `maxBytes`, and an error when the client broke it off. A body
 * that sends nothing for `idleMs` while it is waited for is answered 408 (BULK_BODY_IDLE_TIMEOUT_MS, as a
 * large GraphQL body): the time the service itself takes between two chunks (parsing, storing) never counts.
 */
export async function* uploadChunks(body: Readable, maxBytes: number, idleMs: number): AsyncGenerator<Buffer> {
  const declared = Number((body as Readable & { headers?: Record<string, string> }).headers?.['content-length']);
  if (declared > maxBytes) {
    throw tooLarge(maxBytes);
  }
  let received = 0;
  // Not destroyed on an early exit: the request must stay open for the 400 that follows.
  const chunks = body.iterator({ destroyOnReturn: false }) as AsyncIterator<Buffer>;
  for (let next = await nextWithin(chunks, idleMs, body); !next.done; next = await nextWithin(chunks, idleMs, body)) {
    received += next.value.length;
    if (received > maxBytes) {
      throw tooLarge(maxBytes);
    }
    yield next.value;
  }
  if (body.readableAborted) {
    throw Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
  }
}

/** The next chunk, or a 408 when none comes within `idleMs`; the connection then closes after the answer. */
async function nextWithin(
  chunks: AsyncIterator<Buffer>,
  idleMs: number,
  body: Readable,
): Promise<IteratorResult<Buffer>> {
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const response = (body as Readable & { res?: ServerResponse }).res;
      if (response && !response.headersSent) {
        response.setHeader('Connection', 'close');
      }
      reject(new HttpException(`body: nothing received for ${idleMs / 1000} s`, HttpStatus.REQUEST_TIMEOUT));
    }, idleMs);
  });
  try {
    return await Promise.race([chunks.next(), stalled]);
  } finally {
    clearTimeout(timer);
  }
}

/** What went wrong reading an upload, as the client should hear it (anything else is rethrown as it is). */
export function translateUploadError(error: unknown, maxBytes: number, per: 'list' | 'campaign'): unknown {
  if (error instanceof TooManyRecipientsError) {
    return new UserInputError(
      'body',
      `${error.message}: at most ${MAX_RECIPIENTS_PER_CAMPAIGN.toLocaleString('en-US')} per ${per}`,
    );
  }
  if (error instanceof CsvFormatError) {
    // csv-parse names the line: "Invalid Closing Quote: ... at line 3".
    return new UserInputError('body', `not valid CSV: ${error.message}`);
  }
  if (error instanceof RecordTooLongError) {
    return new UserInputError('body', error.message);
  }
  const code = (error as { code?: string }).code;
  if (code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ECONNRESET') {
    return new UserInputError('body', `the upload broke off (at most ${maxBytes} bytes)`);
  }
  return error;
}

function tooLarge(maxBytes: number): UserInputError {
  return new UserInputError('body', `larger than ${maxBytes.toLocaleString('en-US')} bytes (RECIPIENT_LIST_MAX_BYTES)`);
}
