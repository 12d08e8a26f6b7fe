import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PlivoSandbox } from '../../src/sandbox/sandbox';
import { graphql } from '../utils/graphql-client';
import { gbNumbers, waitFor } from '../utils/phone-numbers';
import { startTestApp, TestApp } from '../utils/test-app';
import { TEST_DATABASES } from '../utils/test-databases';

const SEND = `mutation($input: SendBulkInput!) { sendBulk(input: $input) { id } }`;
const PROGRESS = `query($id: ID!) { campaign(id: $id) { status progress { total delivered pending } } }`;
const RECIPIENTS = 120;
// 20 a second at the sandbox: six seconds of sending, and the service hands it up to ten seconds'
// worth ahead (its dispatch lead), so a stop two seconds in leaves messages queued in the sandbox.
const ENV = { SANDBOX_MPS: '20', PLIVO_MPS: '20', SANDBOX_OUTCOMES: 'delivered:1' };

interface Progress {
  campaign: { status: string; progress: { total: number; delivered: number; pending: number } };
}

// The zero-config default: no Plivo account, the sandbox in the service's process. It keeps its
// messages under DATA_DIR, so a restart in the middle of a campaign finds them, as it would find Plivo.
describe.each(TEST_DATABASES)('a campaign on the in-process sandbox across a service restart on %s', (database) => {
  let dataDir: string;
  const apps: TestApp[] = [];

  beforeAll(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'bulk-sms-restart-'));
  });

  afterAll(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('should finish every recipient once after the restart, the messages the sandbox held included', async () => {
    const first = await startTestApp(database, { ...ENV, DATA_DIR: dataDir });
    apps.push(first);
    const { apiKey } = await first.newAccount();
    const numbers = gbNumbers(RECIPIENTS, 40_000);
    const sent = await graphql<{ sendBulk: { id: string } }>(first.baseUrl, apiKey, SEND, {
      input: { recipients: numbers, text: 'Across a restart', name: 'restart' },
    });
    expect(sent.errors).toBeUndefined();
    const campaignId = sent.data!.sendBulk.id;
    const firstSandbox = first.app.get(PlivoSandbox);
    await waitFor('some messages delivered and more waiting in the sandbox', () =>
      Promise.resolve(
        firstSandbox.records.statusCounts().delivered >= 10 && firstSandbox.records.statusCounts().queued >= 10,
      ),
    );
    await first.close();
    apps.splice(apps.indexOf(first), 1);

    const second = await startTestApp(database, { ...ENV, DATA_DIR: dataDir, PORT: new URL(first.baseUrl).port });
    apps.push(second);
    const secondSandbox = second.app.get(PlivoSandbox);
    expect(secondSandbox.authId).toBe(firstSandbox.authId);
    expect(secondSandbox.records.messageCount).toBeGreaterThanOrEqual(20);

    const done = await waitFor('the campaign to complete after the restart', async () => {
      const response = await graphql<Progress>(second.baseUrl, apiKey, PROGRESS, { id: campaignId });
      return response.data?.campaign.status === 'COMPLETED' ? response.data.campaign : undefined;
    });
    expect(done.progress).toEqual({ total: RECIPIENTS, delivered: RECIPIENTS, pending: 0 });
    // The sandbox's records span both runs: no number went to it twice.
    expect(secondSandbox.records.duplicates()).toEqual([]);
    expect(numbers.every((n) => secondSandbox.records.timesSubmitted(n) === 1)).toBe(true);
  });
});
