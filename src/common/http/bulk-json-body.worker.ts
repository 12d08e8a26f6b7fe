import { parentPort } from 'node:worker_threads';
import { BulkJsonBodyRequest, splitBulkJsonBody } from './bulk-json-body-split';

// A worker thread of large request bodies: parses each one it is sent and answers. Buffers are moved, not copied.
parentPort?.on('message', (request: BulkJsonBodyRequest) => {
  const result = splitBulkJsonBody(request);
  const moved = result.kind === 'split' ? [result.ends.buffer] : [result.bytes.buffer];
  parentPort?.postMessage(result, moved as ArrayBuffer[]);
});
