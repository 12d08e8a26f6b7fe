import { parentPort } from 'node:worker_threads';
import { lowerThisThreadsPriority } from '../common/async/background-thread-priority';
import { UploadSegmentRequest, parseUploadSegment } from './upload-segment';

// A worker thread of an upload: parses and validates the segments it is sent, one at a time, in order.
// The typed arrays are moved, not copied.
lowerThisThreadsPriority();
parentPort?.on('message', (request: UploadSegmentRequest) => {
  const result = parseUploadSegment(request);
  parentPort?.postMessage(result, [result.validRows.buffer, result.numbers.buffer]);
});
