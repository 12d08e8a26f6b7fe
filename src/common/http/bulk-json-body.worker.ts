import { parentPort } from 'node:worker_threads';
import { BulkJsonBodyRequest, splitBulkJsonBody } from './bulk-json-body-split';

// A worker thread of one large request body: parses it and answers once. Buffers are moved, not copied.
parentPort?.once('message', (request: BulkJsonBodyRequest) => {
  const result = splitBulkJsonBody(request);
  const moved = result.kind === 'split' ? [result.ends.buffer] : [result.bytes.buffer];
  parentPort?.postMessage(result, moved as ArrayBuffer[]);
});
