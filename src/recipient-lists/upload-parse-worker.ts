import { parentPort } from 'node:worker_threads';
import { UploadSegmentRequest, parseUploadSegment } from './upload-segment';

// A worker thread of an upload: parses and validates the segments it is sent, one at a time, in order.
parentPort?.on('message', (request: UploadSegmentRequest) => {
  parentPort?.postMessage(parseUploadSegment(request));
});
