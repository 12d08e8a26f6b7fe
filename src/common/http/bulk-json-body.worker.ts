import { parentPort } from 'node:worker_threads';
import { lowerThisThreadsPriority } from '../async/background-thread-priority';
import { BulkJsonBodyRequest, splitBulkJsonBody } from './bulk-json-body-split';

// A worker thread of large request bodies: parses each one it is sent and answers. Buffers are moved, not copied.
lowerThisThreadsPriority();
parentPort?.on('message', (request: BulkJsonBodyRequest) => {
  const result = splitBulkJsonBody(request);
  const moved =
    result.kind === 'fallback'
      ? [result.bytes.buffer]
      : [
          result.recipients.ends.buffer,
          ...(typeof result.recipients.text === 'string' ? [] : [result.recipients.text.buffer]),
        ];
  parentPort?.postMessage(result, moved as ArrayBuffer[]);
});
