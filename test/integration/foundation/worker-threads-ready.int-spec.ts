import { bulkJsonWorkers } from '../../../src/common/http/bulk-json-body';
import { validationWorkers } from '../../../src/messaging/recipient-worker-pool';
import { graphql } from '../../utils/graphql-client';
import { gbNumbers, waitFor } from '../../utils/phone-numbers';
import { startTestApp, TestApp } from '../../utils/test-app';

const SEND = `mutation($input: SendBulkInput!) { sendBulk(input: $input) { id progress { total } } }`;
// Lists from 50,000 are validated on the worker threads; bodies over BODY_LIMIT are parsed on one.
const RECIPIENTS = 50_000;

/**
 * WORKER_THREADS_READY as the service runs it (createApp): the threads are started and warmed up at
 * boot, serve the first large campaign, are kept after it, and go with the app.
 */
describe('worker threads ready from boot (PostgreSQL)', () => {
  let testApp: TestApp | undefined;

  afterEach(async () => {
    await testApp?.close();
    testApp = undefined;
  });

  it('should start one body-parsing and two validation threads at boot, keep them through a large campaign, and close them with the app', async () => {
    testApp = await startTestApp('postgres', { WORKER_THREADS_READY: 'true', BODY_LIMIT: '64kb' });

    await waitFor('the threads to be warm and idle', () =>
      Promise.resolve(bulkJsonWorkers.idleCount === 1 && validationWorkers.idleCount === 2),
    );
    const { apiKey } = await testApp.newAccount();
    const response = await graphql<{ sendBulk: { progress: { total: number } } }>(testApp.baseUrl, apiKey, SEND, {
      input: {
        recipients: gbNumbers(RECIPIENTS, 5_000_000),
        text: 'ready threads',
        scheduledAt: new Date(Date.now() + 3_600_000).toISOString(),
      },
    });
    expect(response.errors).toBeUndefined();
    expect(response.data!.sendBulk.progress.total).toBe(RECIPIENTS);
    expect([bulkJsonWorkers.idleCount, validationWorkers.idleCount]).toEqual([1, 2]);

    await testApp.close();
    testApp = undefined;
    expect([bulkJsonWorkers.idleCount, validationWorkers.idleCount]).toEqual([0, 0]);
  });
});
