import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import {
  CHROMIUM_PATH,
  openConsoleBrowser,
  seriousAccessibilityViolations,
  type ConsoleBrowser,
} from '../browser/console-browser';
import { graphql } from '../utils/graphql-client';
import { gbNumbers } from '../utils/phone-numbers';
import { startTestApp, type TestApp } from '../utils/test-app';
import { TEST_DATABASES, type TestDatabaseKind } from '../utils/test-databases';
import { scaledTimeout } from '../utils/time-factor';
import { waitFor } from '../utils/wait-for';
import { WebhookReceiver } from '../utils/webhook-receiver';

// 200 recipients at 10 MPS (lead 1 s): about twenty seconds of sending, long enough to pause in the
// middle and to see the bar move; the sandbox's clock runs 20 times faster. The templated text makes
// one-number batches, each a claim, a request and its reports: a slow rate keeps that work small, so
// that on the embedded PGlite under a busy machine the campaign page shows, and the pause lands,
// while most of the list is still waiting (at 50 MPS the page took 10 s to show, and the pause came
// after the last claim).
const ENV = {
  PLIVO_MPS: '10',
  DISPATCH_LEAD_SECONDS: '1',
  DISPATCH_POLL_MS: '50',
  SANDBOX_TIME_SCALE: '0.05',
  SANDBOX_MPS: '10',
  // The webhook endpoint is a receiver on 127.0.0.1, and its deliveries go out as soon as they are written.
  WEBHOOK_ALLOW_PRIVATE: 'true',
  WEBHOOK_DELIVERY_POLL_MS: '50',
  // The cancelled campaign's German numbers: some refused by Plivo (REJECTED), which the chart counts as sent.
  SANDBOX_COUNTRY_OUTCOMES: 'DE:rejected:0.3',
  // Its sender's lane at Plivo drains at 2 a second (Plivo time × 0.05), slower than the campaign is sent:
  // messages stay queued with Plivo, and are charged, for seconds after the cancel.
  SENDER_IDS: 'Drill',
  SANDBOX_MPS_ALPHANUMERIC: '0.1',
};
const CAMPAIGN_EVENTS = ['campaign.started', 'campaign.paused', 'campaign.resumed', 'campaign.completed'];
const RECIPIENTS = 200;
const CONSOLE_BUILT = path.resolve(__dirname, '..', '..', 'web', 'dist', 'index.html');

interface ProgressBarWatch {
  seen: number[];
  animations: number;
}

/**
 * Evaluated in the page: records in `window.progressBarWatch` every value the campaign's progress bar
 * takes (at every change of the page), and the most CSS animations running at once (checked at the same
 * changes and every 100 ms).
 */
const WATCH_PROGRESS_BAR = `(() => {
  const watch = { seen: [], animations: 0 };
  window.progressBarWatch = watch;
  const read = () => {
    const bar = document.querySelector('[role="progressbar"][aria-label="Campaign progress"]');
    if (bar) watch.seen.push(Number(bar.getAttribute('aria-valuenow')));
    watch.animations = Math.max(watch.animations, document.getAnimations().length);
  };
  new MutationObserver(read).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-valuenow'] });
  setInterval(read, 100);
  read();
})()`;

/** The campaign page's progress bar: how many messages are done, as the page shows it. */
async function progressDone(page: Page): Promise<number> {
  return Number(await page.getByRole('progressbar', { name: 'Campaign progress' }).getAttribute('aria-valuenow'));
}

async function expectAccessible(page: Page, where: string): Promise<void> {
  const violations = await seriousAccessibilityViolations(page);
  expect({ where, violations }).toEqual({ where, violations: [] });
}

/** Signs in on the page shown (the console then shows that same address's page). */
async function signIn(page: Page, key: string): Promise<void> {
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel('API key').waitFor();
}

/** The main navigation's links, as the session sees them. */
async function navigation(page: Page): Promise<string[]> {
  return page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();
}

/** Accounts are listed oldest first: pages forward until the account's Keys button shows, and opens it. */
async function openAccountKeys(page: Page, name: string): Promise<void> {
  const button = page.getByRole('button', { name: `Keys of ${name}`, exact: true });
  await page.getByRole('heading', { name: 'Accounts' }).waitFor();
  await page.locator('table.accounts tbody tr').first().waitFor();
  while (!(await button.isVisible())) {
    const next = page.getByRole('navigation', { name: 'Pages of accounts' }).getByRole('button', { name: 'Next' });
    expect(await next.isEnabled()).toBe(true);
    const firstRow = await page.locator('table.accounts tbody tr').first().textContent();
    await next.click();
    await waitFor(
      'the next page of accounts',
      async () => (await page.locator('table.accounts tbody tr').first().textContent()) !== firstRow,
    );
  }
  await button.click();
  await page.getByRole('heading', { name: `Keys of ${name}` }).waitFor();
}

// Each scenario runs on one database: the console only speaks GraphQL, which every other e2e file drives
// on both, and a browser run is the suite's dearest CPU (npm test must stay within 10 minutes on two busy
// cores). The full flow runs on the zero-config default (PGlite), the cancel on PostgreSQL.
const FULL_FLOW_ON: TestDatabaseKind = 'pglite';
const CANCEL_ON: TestDatabaseKind = 'postgres';

describe.each(TEST_DATABASES)('web console, in a real browser (chromium), on %s', (database) => {
  /** A test registered on one database only (not shown as skipped on the other). */
  const itOn =
    (only: TestDatabaseKind) =>
    (name: string, test: () => Promise<void>): void => {
      if (database === only) {
        it(name, test);
      }
    };
  let testApp: TestApp;
  let browser: ConsoleBrowser;
  let apiKey: string;
  let adminKey: string;
  const receiver = new WebhookReceiver();

  beforeAll(async () => {
    if (!existsSync(CHROMIUM_PATH)) {
      throw new Error(`${CHROMIUM_PATH} is missing: apt-get install -y chromium (.ci/run does)`);
    }
    if (!existsSync(CONSOLE_BUILT)) {
      throw new Error('web/dist is missing: npm run build (npm test builds it first)');
    }
    testApp = await startTestApp(database, ENV);
    ({ apiKey } = await testApp.newAccount());
    // The admin key the service generated on start (npm start prints it): the admin scope only.
    adminKey = readFileSync(path.join(testApp.dataDir, 'admin-api-key'), 'utf8').trim();
    await receiver.start();
    browser = await openConsoleBrowser();
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: testApp.baseUrl });
  });

  afterAll(async () => {
    await browser?.close();
    await receiver.stop();
    await testApp?.close();
  });

  itOn(FULL_FLOW_ON)(
    'signs in, sends 200 recipients from an uploaded CSV, follows them live to COMPLETED through a pause and a resume, exports them, keeps the opt-out list, sees its webhook deliveries and replays one, signs out; the admin creates an account and a read-only key, which cannot manage keys nor send, and revokes it',
    async () => {
      const { page } = browser;
      page.setDefaultTimeout(scaledTimeout(10_000));

      // The page comes with its CSP, enforced here (no bypass): the console connects to its own origin only,
      // its graphql-ws connection included ('self' matches ws: to the same host), never a bare ws:/wss: source.
      const sockets: string[] = [];
      page.on('websocket', (socket) => sockets.push(socket.url()));
      const served = await page.goto(testApp.baseUrl);
      const policy = served?.headers()['content-security-policy'] ?? '';
      expect(policy).toContain("connect-src 'self';");
      expect(policy).not.toMatch(/(^|\s)wss?:/);

      // A wrong key is refused, and says so.
      await page.getByLabel('API key').fill('sk_not_a_real_key_000000000000');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page.getByRole('alert').textContent()).resolves.toContain('not valid');
      await expectAccessible(page, 'sign-in');
      await browser.screenshot(`${database}-01-sign-in-wrong-key`);

      // The right key: a session cookie (HttpOnly), and nothing of the key in the page's storage.
      await page.getByLabel('API key').fill(apiKey);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Campaigns' }).waitFor();
      const cookies = await browser.context.cookies(testApp.baseUrl);
      expect(cookies.find((c) => c.name === 'bulk_sms_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
      const stored = await page.evaluate<string>(
        'JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })',
      );
      expect(stored).not.toContain(apiKey);
      // An account key: every page but Keys (the admin scope).
      expect(await navigation(page)).toEqual(['Bulk SMS', 'Campaigns', 'New campaign', 'Opt-outs', 'Webhooks']);

      // Webhooks: an endpoint for the campaign's events, pointing at a receiver started here; the signing
      // secret is shown once, and the receiver verifies every request with it.
      await page.getByRole('link', { name: 'Webhooks' }).click();
      await page.getByText('No endpoints yet.').waitFor();
      await page.getByLabel(/^URL/).fill(receiver.url);
      for (const event of CAMPAIGN_EVENTS) {
        await page.getByLabel(new RegExp(`^${event.replace('.', '\\.')} `)).check();
      }
      await page.getByRole('button', { name: 'Create endpoint' }).click();
      const secret = (await page.locator('[data-secret]').textContent()) ?? '';
      expect(secret).toMatch(/^whsec_/);
      receiver.useSecret(secret);
      await page.locator('table.endpoints tbody tr').first().waitFor();
      await expect(page.locator('table.endpoints tbody tr').allTextContents()).resolves.toEqual([
        expect.stringContaining(`${receiver.url}${CAMPAIGN_EVENTS.join(', ')}Enabled`),
      ]);
      await page.getByRole('button', { name: 'I have stored it' }).click();
      await page.locator('[data-secret]').waitFor({ state: 'detached' });
      await page.getByText('No deliveries yet.').waitFor();

      // New campaign: a CSV file with a header, 200 numbers and one bad row, uploaded as a recipient list
      // (POST /api/recipient-lists) with the phone column chosen in the form.
      await page.getByRole('link', { name: 'New campaign' }).first().click();
      await page.getByRole('heading', { name: 'New campaign' }).waitFor();
      await page.getByLabel('CSV file').first().check();
      // GB numbers: UK carriers send delivery receipts (US ones do not, see NO_RECEIPT_COUNTRIES).
      const numbers = gbNumbers(RECIPIENTS, 4242);
      const csv = [
        'name,phone',
        ...numbers.slice(0, 100).map((n, i) => `Person ${i},${n}`),
        'Broken,12ab',
        // One row without a name: the quote names the empty field.
        ...numbers.slice(100).map((n, i) => `${i === 50 ? '' : `Person ${i + 100}`},${n}`),
      ].join('\n');
      await page
        .locator('input[type=file]')
        .setInputFiles({ name: 'recipients.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
      const column = page.getByLabel('Column with the phone number');
      await expect(column.inputValue()).resolves.toBe('1');
      await page.getByText(`${RECIPIENTS} recipient(s) (recipients.csv, column "phone")`).waitFor();
      // Mapped to the wrong column, every row is refused by the server; mapped back, only the bad one.
      await column.selectOption('0');
      await page.getByRole('alert').filter({ hasText: 'Row 2: Person 0' }).waitFor();
      await column.selectOption('1');
      await page.getByText(`${RECIPIENTS} recipient(s) (recipients.csv, column "phone")`).waitFor();

      // A text with a field: the template preview renders the first rows in the browser.
      await page.getByLabel('Text').fill('Hello {{ name }} from the console – with a dash');
      await waitFor(
        'the template preview of the first rows',
        async () =>
          (await page.locator('.preview li').allTextContents()).join('|') ===
          [0, 1, 2, 3, 4].map((i) => `Row ${i + 2}: Hello Person ${i} from the console – with a dash`).join('|'),
      );
      // The live counter: the en dash forces UCS-2 and is highlighted; smart encoding brings GSM-7 back.
      await page.getByText('UCS-2 ·').waitFor();
      await page.locator('.ucs2 mark').first().waitFor();
      await page.getByLabel(/Smart encoding/).check();
      await page.getByText(/characters · GSM-7 · 1 segment/).waitFor();
      await page.locator('[data-quote-total]').waitFor();
      const emptyFields = page.getByRole('list', { name: 'Empty fields' }).getByRole('listitem');
      await expect(emptyFields.allTextContents()).resolves.toEqual([
        'name is empty for 1 recipient: it renders as nothing there; give it a default, as in {{ name | default: "there" }}.',
      ]);

      // Quiet hours: a window the server refuses is named; an all-day one is quoted and sent.
      await page.getByLabel(/Quiet hours/).check();
      await page.getByLabel(/^Until/).fill('09:00');
      await page.getByRole('alert').filter({ hasText: 'sendWindow' }).waitFor();
      await page.getByLabel(/^From/).fill('00:00');
      await page.getByLabel(/^Until/).fill('24:00');
      // The quote per country, and the bad row named by its row number (row 102: header + 100 rows before it).
      await page.locator('[data-quote-total]').waitFor();
      await expect(page.locator('tfoot').textContent()).resolves.toContain(String(RECIPIENTS));
      await expect(page.getByRole('alert').textContent()).resolves.toMatch(/Row 102: 12ab/);
      await expectAccessible(page, 'new campaign');
      await browser.screenshot(`${database}-02-new-campaign`);

      const sent: Array<Record<string, unknown>> = [];
      page.on('request', (request) => {
        const body = request.url().endsWith('/graphql') ? request.postData() : null;
        if (body?.includes('mutation SendBulk')) {
          sent.push((JSON.parse(body) as { variables: { input: Record<string, unknown> } }).variables.input);
        }
      });
      await page.getByRole('button', { name: 'Review and send…' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Send now' }).click();
      await page.getByRole('heading', { name: 'Progress' }).waitFor();
      const campaignUrl = page.url();
      // Every value the bar shows from here to COMPLETED, recorded in the page as it changes (no reload): under
      // a busy machine most of the sending can happen before the pause is confirmed, so the values after the
      // resume alone may be only the last one. And the most CSS animations running at once: the bar moves
      // without any (an animated width laid the page out at every frame, a third of a core in the browser
      // while a campaign ran). Recorded in the page, not polled from here: two evaluations every 100 ms, each a
      // DevTools round trip, cost the file about a tenth of its CPU (docs/benchmark-history.md, stop 59).
      await page.evaluate(WATCH_PROGRESS_BAR);
      // Sent by the list's id, with the window.
      expect(sent).toEqual([
        expect.objectContaining({
          recipients: [],
          recipientListId: expect.any(String),
          sendWindow: { start: '00:00', end: '24:00', days: null },
          text: 'Hello {{ name }} from the console – with a dash',
        }),
      ]);

      // Pause while it sends: confirmed in a dialog, then the badge says PAUSED (no reload).
      await page.getByRole('button', { name: 'Pause' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Pause' }).click();
      await page
        .locator('.page-head .badge', { hasText: 'PAUSED' })
        .waitFor({ timeout: scaledTimeout(15_000) })
        .catch(async (error: Error) => {
          // Say what the page showed instead (a campaign that finished before the pause, an error).
          const shown = await page.locator('.page-head .badge, .notice').allTextContents();
          throw new Error(`${error.message}\nThe page showed: ${shown.join(' | ')}`);
        });
      await expect(page.locator('#latency-note').textContent()).resolves.toContain('already claimed');
      const doneWhilePaused = await progressDone(page);
      expect(doneWhilePaused).toBeLessThan(RECIPIENTS);
      await browser.screenshot(`${database}-03-campaign-paused`);

      // The list in another tab, whose live updates stop after each subscription's first snapshot (its
      // graphql-ws routed here, later `next` messages dropped): as a stream that ended before the campaign's
      // last reports. The list's reloads must still bring the row to COMPLETED (the snapshot used to win).
      const listPage = await browser.context.newPage();
      let firstSnapshots = 0;
      await listPage.routeWebSocket(/\/graphql$/, (socket) => {
        const server = socket.connectToServer();
        const streamed = new Set<string>();
        socket.onMessage((message) => server.send(message));
        server.onMessage((message) => {
          const { type, id } = JSON.parse(String(message)) as { type: string; id?: string };
          if (type === 'next' && id !== undefined) {
            if (streamed.has(id)) {
              return;
            }
            streamed.add(id);
            firstSnapshots++;
          }
          socket.send(message);
        });
      });
      await listPage.goto(testApp.baseUrl);
      const listRow = listPage.locator(`table.campaigns tbody tr[data-campaign-id="${campaignUrl.split('/').pop()}"]`);
      await listRow.locator('.badge', { hasText: 'PAUSED' }).waitFor();
      await waitFor('the list to get its live snapshot', () => Promise.resolve(firstSnapshots > 0));

      // Resume with a new budget; the bar moves through several values to COMPLETED, live.
      await page.getByRole('button', { name: 'Resume…' }).click();
      await page
        .getByRole('dialog')
        .getByLabel(/New budget/)
        .fill('100');
      await page.getByRole('dialog').getByRole('button', { name: 'Resume' }).click();
      await page.locator('.page-head .badge', { hasText: 'COMPLETED' }).waitFor({ timeout: scaledTimeout(60_000) });
      expect(await progressDone(page)).toBe(RECIPIENTS);
      // Undefined had the page been loaded again since the campaign was sent.
      const watched = await page.evaluate<ProgressBarWatch | undefined>('window.progressBarWatch');
      expect(watched).toBeDefined();
      expect(new Set(watched?.seen.filter((done) => done > 0 && done < RECIPIENTS)).size).toBeGreaterThan(1);
      expect(watched?.animations).toBe(0);
      expect(page.url()).toBe(campaignUrl);
      // Those values came over graphql-ws on the page's own origin, which the CSP let through.
      expect(sockets).toContain(`${testApp.baseUrl.replace(/^http/, 'ws')}/graphql`);
      expect(browser.cspViolations).toEqual([]);
      // Finished while the page was open: it reads the campaign again and shows when it completed, as a page
      // opened on a finished campaign does (it showed "—": its first read, while sending, had no completion time),
      // as "Finished" (it said "Expected to finish" of a time past).
      const { data } = await graphql<{ campaign: { completedAt: string | null } }>(
        testApp.baseUrl,
        apiKey,
        'query ($id: ID!) { campaign(id: $id) { completedAt } }',
        { id: campaignUrl.split('/').pop() },
      );
      expect(data?.campaign.completedAt).toEqual(expect.any(String));
      const completedAt = await page.evaluate<string>(
        `new Date(${JSON.stringify(data?.campaign.completedAt)}).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' })`,
      );
      await page.locator('.counters div', { hasText: 'Finished' }).locator('dd', { hasText: completedAt }).waitFor();
      await expect(page.getByText('Expected to finish').count()).resolves.toBe(0);
      // The chart got points from the subscription: its caption reads the last one.
      await waitFor('the chart to show deliveries', async () =>
        /[1-9]\d* delivered/.test((await page.locator('.chart figcaption').textContent()) ?? ''),
      );
      await expect(page.locator('[data-counter="delivered"]').textContent()).resolves.toMatch(/^[1-9]/);
      await page.locator('#cost-title ~ .table-wrap tbody tr').first().waitFor();
      await expectAccessible(page, 'campaign');
      await browser.screenshot(`${database}-04-campaign-completed`);

      // The messages table pages on the server, 25 rows at a time, and filters by status.
      expect(await page.locator('table.messages tbody tr').count()).toBe(25);
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByText(/page 2\./).waitFor();
      await page
        .getByRole('combobox', { name: /^Status/ })
        .last()
        .selectOption('DELIVERED');
      await page.getByText(/message\(s\) DELIVERED; page 1\./).waitFor();
      // Search by number (the server's messages(to:)), spaces and all.
      await page
        .getByRole('combobox', { name: /^Status/ })
        .last()
        .selectOption('');
      const wanted = numbers[7];
      await page.getByLabel('Phone number (E.164)').fill(`${wanted.slice(0, 3)} ${wanted.slice(3)}`);
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByText(/^1 message\(s\) to/).waitFor();
      await expect(page.locator('table.messages tbody tr').allTextContents()).resolves.toEqual([
        expect.stringContaining(wanted),
      ]);
      // A number the server refuses: its error, and no rows under its label (the last search's row showed,
      // labelled "1 message(s) to 12345").
      await page.getByLabel('Phone number (E.164)').fill('12345');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByRole('alert').filter({ hasText: 'E.164' }).waitFor();
      await expect(page.locator('#messages-title + div .hint').count()).resolves.toBe(0);
      await expect(page.locator('table.messages').count()).resolves.toBe(0);
      await page.getByLabel('Phone number (E.164)').fill(numbers[8]);
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByText(`1 message(s) to ${numbers[8]}; page 1.`).waitFor();
      await expect(page.locator('table.messages tbody tr').allTextContents()).resolves.toEqual([
        expect.stringContaining(numbers[8]),
      ]);

      // Export: the page's link downloads the campaign as CSV, a header and one row per recipient.
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: 'Export CSV' }).click(),
      ]);
      expect(download.suggestedFilename()).toBe(`campaign-${campaignUrl.split('/').pop()}.csv`);
      const exported = readFileSync(await download.path(), 'utf8')
        .trimEnd()
        .split('\n');
      expect(exported[0]).toMatch(/^[a-z_]+(,[a-z_]+)+$/);
      expect(exported).toHaveLength(RECIPIENTS + 1);
      expect(exported.filter((line) => line.includes(numbers[7]))).toHaveLength(1);

      // At a phone's width the page does not scroll sideways (wide tables scroll inside their box).
      await page.setViewportSize({ width: 390, height: 844 });
      await browser.screenshot(`${database}-05-campaign-phone`);
      const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
      expect(overflow).toBeLessThanOrEqual(1);
      await page.setViewportSize({ width: 1280, height: 800 });

      // The list shows it COMPLETED with a full bar.
      await page.getByRole('link', { name: 'Campaigns' }).first().click();
      const row = page.locator('table.campaigns tbody tr').first();
      await row.locator('.badge', { hasText: 'COMPLETED' }).waitFor();
      await expect(row.getByRole('progressbar').getAttribute('aria-valuenow')).resolves.toBe(String(RECIPIENTS));
      await expectAccessible(page, 'campaigns');
      await browser.screenshot(`${database}-06-campaigns`);
      // The other tab's row, its live snapshot PAUSED and part done, is corrected by the list's next reload.
      await listRow.locator('.badge', { hasText: 'COMPLETED' }).waitFor({ timeout: scaledTimeout(30_000) });
      await expect(listRow.getByRole('progressbar').getAttribute('aria-valuenow')).resolves.toBe(String(RECIPIENTS));
      await listPage.close();

      // Opt-outs: add by hand, import a CSV (its bad row named by row number), search, remove (by keyboard), export.
      // The import has its own reason: the one still typed in the Add numbers form is not its (it was taken).
      await page.getByRole('link', { name: 'Opt-outs' }).click();
      await page.getByRole('heading', { name: 'Opt-outs' }).waitFor();
      await page.getByLabel('Numbers to add, one per line').fill(`${numbers[0]}\n${numbers[1]}`);
      await page.getByLabel(/^Reason/).fill('asked by phone');
      await page.getByRole('button', { name: 'Add to the list' }).click();
      await page.getByRole('status').filter({ hasText: 'Added: 2 added, 0 already on the list.' }).waitFor();
      await page.getByLabel(/^Import a CSV file/).setInputFiles({
        name: 'opt-outs.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(`phone\n${numbers[2]}\n${numbers[3]}\nnot-a-number\n${numbers[0]}\n`),
      });
      await page
        .getByRole('status')
        .filter({ hasText: 'Imported opt-outs.csv: 2 added, 1 already on the list' })
        .waitFor();
      await expect(page.getByRole('alert').textContent()).resolves.toMatch(/Row 4: not-a-number/);
      await page.getByText('4 number(s); page 1.').waitFor();
      await expectAccessible(page, 'opt-outs');
      await browser.screenshot(`${database}-07-opt-outs`);

      await page.getByLabel(/^Search numbers/).fill(numbers[3].slice(1));
      await page.getByLabel(/^Search numbers/).press('Enter');
      await page.getByText(`1 number(s) matching ${numbers[3].slice(1)}; page 1.`).waitFor();
      await expect(page.locator('table.suppressions tbody tr').allTextContents()).resolves.toEqual([
        expect.stringContaining(numbers[3]),
      ]);
      await page.getByRole('button', { name: `Remove ${numbers[3]}` }).focus();
      await page.keyboard.press('Enter');
      await page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
      await page
        .getByRole('status')
        .filter({ hasText: `${numbers[3]} can receive messages again.` })
        .waitFor();
      await page.getByText(`0 number(s) matching ${numbers[3].slice(1)}; page 1.`).waitFor();
      await page.getByLabel(/^Search numbers/).fill('');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByText('3 number(s); page 1.').waitFor();
      const [optOutsFile] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Export CSV' }).click(),
      ]);
      expect(optOutsFile.suggestedFilename()).toBe('opt-outs.csv');
      const optOuts = readFileSync(await optOutsFile.path(), 'utf8')
        .trimEnd()
        .split('\r\n');
      expect(optOuts[0]).toBe('phone,source,reason,campaignId,createdAt');
      expect(
        optOuts
          .slice(1)
          .map((line) => line.split(',').slice(0, 3).join(','))
          .sort(),
      ).toEqual(
        [
          `${numbers[0]},API,asked by phone`,
          `${numbers[1]},API,asked by phone`,
          `${numbers[2]},CSV_IMPORT,imported from CSV`,
        ].sort(),
      );

      // The campaign's events reached the receiver, and the delivery log shows each delivered (HTTP 204).
      await page.getByRole('link', { name: 'Webhooks' }).click();
      await page
        .locator('table.deliveries tbody tr', { hasText: 'campaign.completed' })
        .filter({ hasText: 'DELIVERED' })
        .waitFor();
      const logged = await page.locator('table.deliveries tbody tr').allTextContents();
      expect(new Set(logged.map((row) => CAMPAIGN_EVENTS.find((event) => row.startsWith(event))))).toEqual(
        new Set(CAMPAIGN_EVENTS),
      );
      expect(logged.filter((row) => !/DELIVERED1HTTP 204/.test(row))).toEqual([]);
      expect(new Set(receiver.received.map((event) => event.type))).toEqual(new Set(CAMPAIGN_EVENTS));
      await expectAccessible(page, 'webhooks');
      await browser.screenshot(`${database}-08-webhooks`);

      // Replay: the receiver gets campaign.completed again, with the same webhook-id; the log counts the attempt.
      const completed = receiver.received.find((event) => event.type === 'campaign.completed')!;
      await page.getByRole('button', { name: `Replay campaign.completed ${completed.id}` }).click();
      await page.getByRole('status').filter({ hasText: 'is sent again, with the same webhook-id' }).waitFor();
      await waitFor('the replayed event at the receiver', () =>
        Promise.resolve(receiver.received.filter((event) => event.id === completed.id).length === 2),
      );
      // Its outcome is recorded just after the receiver answers: read the log again until it shows.
      const replayed = page.locator('table.deliveries tbody tr', { hasText: 'campaign.completed' });
      let replayRow: string[] = [];
      await waitFor('the log to count the replay', async () => {
        await page.getByRole('button', { name: 'Refresh' }).click();
        replayRow = await replayed.allTextContents();
        return replayRow.length === 1 && /DELIVERED2HTTP 204/.test(replayRow[0]);
      }).catch((error: Error) => {
        throw new Error(`${error.message}\nThe log's campaign.completed rows: ${replayRow.join(' | ')}`);
      });

      // Sign out: back to sign-in, and the old cookie no longer opens GraphQL.
      const [session] = (await browser.context.cookies(testApp.baseUrl)).filter((c) => c.name === 'bulk_sms_session');
      await signOut(page);
      const afterSignOut = await fetch(`${testApp.baseUrl}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-console-request': '1',
          cookie: `bulk_sms_session=${session.value}`,
        },
        body: JSON.stringify({ query: '{ campaigns { edges { node { id } } } }' }),
      });
      expect(afterSignOut.status).toBe(401);

      // The admin key, signed in on the Webhooks page it cannot read: the page says which scope it needs, and
      // the navigation offers only Keys. A new account, and a key for it with campaigns:read, its material
      // shown once and copied.
      await signIn(page, adminKey);
      await page.getByText(/Campaigns, opt-outs and webhooks need the campaigns:read scope/).waitFor();
      expect(await navigation(page)).toEqual(['Bulk SMS', 'Keys']);
      await page.getByRole('link', { name: 'Keys', exact: true }).click();
      await page.getByRole('heading', { name: 'Accounts' }).waitFor();
      const partner = `Partner on ${database}`;
      await page.getByLabel('New account name').fill(partner);
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByRole('heading', { name: `Keys of ${partner}` }).waitFor();
      await page.getByText('No keys yet.').waitFor();
      await page.getByLabel(/^Key name/).fill('reporting');
      await page.getByLabel(/^campaigns:read /).check();
      await page.getByRole('button', { name: 'Create key' }).click();
      const readOnlyKey = (await page.locator('[data-secret]').textContent()) ?? '';
      expect(readOnlyKey).toMatch(/^sk_/);
      await expect(page.locator('.secret').textContent()).resolves.toContain('Shown once:');
      await page.getByRole('button', { name: 'Copy' }).click();
      await page.getByText('Copied to the clipboard.').waitFor();
      await expect(page.evaluate<string>('navigator.clipboard.readText()')).resolves.toBe(readOnlyKey);
      await page.locator('table.api-keys tbody tr').first().waitFor();
      await expect(page.locator('table.api-keys tbody tr').allTextContents()).resolves.toEqual([
        expect.stringMatching(/^reportingcampaigns:read.*NeverActive/),
      ]);
      await expectAccessible(page, 'keys');
      await browser.screenshot(`${database}-09-keys`);
      await page.getByRole('button', { name: 'I have stored it' }).click();
      await page.locator('[data-secret]').waitFor({ state: 'detached' });
      await signOut(page);

      // The read-only key, signed in on the Keys page: it says the admin scope is needed, and the navigation has
      // no Keys. Sending and webhook changes are refused by the server, and the pages say why.
      await signIn(page, readOnlyKey);
      await page.getByText(/Accounts and API keys need the admin scope/).waitFor();
      expect(await navigation(page)).toEqual(['Bulk SMS', 'Campaigns', 'New campaign', 'Opt-outs', 'Webhooks']);
      await page.getByRole('link', { name: 'New campaign' }).click();
      await page.getByLabel(/^Phone numbers, one per line/).fill(numbers[10]);
      await page.getByLabel('Text').fill('Not allowed');
      await page.getByRole('button', { name: 'Review and send…' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Send now' }).click();
      await page.getByRole('alert').filter({ hasText: 'lacks the campaigns:write scope' }).waitFor();
      await page.getByRole('link', { name: 'Webhooks' }).click();
      await page.getByLabel(/^URL/).fill(receiver.url);
      await page.getByLabel(/^campaign\.completed /).check();
      await page.getByRole('button', { name: 'Create endpoint' }).click();
      await page
        .getByText(/lacks the webhooks:write scope: endpoints and deliveries can be seen here, not changed/)
        .waitFor();
      await expect(page.getByRole('button', { name: 'Create endpoint' }).count()).resolves.toBe(0);
      await signOut(page);

      // The admin revokes it (confirmed): the key shows revoked, and it no longer opens a session.
      await signIn(page, adminKey);
      await page.getByRole('link', { name: 'Keys', exact: true }).click();
      await openAccountKeys(page, partner);
      await page.getByRole('button', { name: 'Revoke reporting' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
      await page.getByRole('status').filter({ hasText: 'Revoked "reporting"' }).waitFor();
      await page.locator('table.api-keys tbody tr', { hasText: 'Revoked ' }).waitFor();
      await expect(page.locator('table.api-keys tbody tr').allTextContents()).resolves.toEqual([
        expect.stringMatching(/^reportingcampaigns:read.*NeverRevoked /),
      ]);
      const revokedSignIn = await fetch(`${testApp.baseUrl}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-console-request': '1' },
        body: JSON.stringify({ apiKey: readOnlyKey }),
      });
      expect(revokedSignIn.status).toBe(401);
      expect(browser.cspViolations).toEqual([]);
    },
  );

  itOn(CANCEL_ON)(
    'cancelled while messages are with Plivo: the page follows them until the campaign is settled (cost by country, messages), then says when it finished; the chart counts rejected messages as sent',
    async () => {
      const { page } = browser;
      page.setDefaultTimeout(scaledTimeout(10_000));
      const germanNumbers = Array.from({ length: 120 }, (_, i) => `+49151${12_340_000 + i}`);
      const sent = await graphql<{ sendBulk: { id: string } }>(
        testApp.baseUrl,
        apiKey,
        'mutation ($input: SendBulkInput!) { sendBulk(input: $input) { id } }',
        {
          input: {
            recipients: germanNumbers,
            text: 'Cancelled from the console',
            name: 'cancel drill',
            senderId: 'Drill',
          },
        },
      );
      expect(sent.errors).toBeUndefined();
      await browser.context.clearCookies();
      await page.goto(`${testApp.baseUrl}/campaigns/${sent.data!.sendBulk.id}`);
      await signIn(page, apiKey);
      await page.getByRole('heading', { name: 'Progress' }).waitFor();
      const counter = async (name: string) =>
        Number((await page.locator(`[data-counter="${name}"]`).textContent())?.replace(/,/g, ''));
      await waitFor('a rejected message', async () => (await counter('rejected')) > 0);

      await page.getByRole('button', { name: 'Cancel campaign…' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Cancel campaign' }).click();
      await page
        .getByRole('status')
        .filter({ hasText: /^Cancelled: / })
        .waitFor();
      await page.locator('.page-head .badge', { hasText: 'CANCELLED' }).waitFor();

      // Settled: nothing waiting or with Plivo. The cost by country then agrees with the cost so far at once (it
      // lagged for up to a minute, read at the cancel and not again), and so do the messages shown.
      await waitFor(
        'the campaign to settle',
        async () =>
          (await counter('pending')) +
            (await counter('submitted')) +
            (await counter('queued')) +
            (await counter('sent')) ===
          0,
      );
      const costSoFar = page.locator('.counters div', { hasText: 'Cost so far' }).locator('dd');
      const actual = page.locator('#cost-title ~ .table-wrap tbody tr td').nth(2);
      await waitFor(
        'the cost by country to agree with the cost so far',
        async () => (await actual.textContent()) === (await costSoFar.textContent()),
        5_000,
      ).catch(async (error: Error) => {
        throw new Error(
          `${error.message}\nCost so far ${await costSoFar.textContent()}, by country ${await actual.textContent()}`,
        );
      });
      await waitFor('the messages table to show no message still with Plivo', async () =>
        (await page.locator('table.messages tbody tr').allTextContents()).every(
          (row) => !/SUBMITTED|QUEUED|SENT/.test(row),
        ),
      );
      await page.locator('.counters div', { hasText: 'Finished' }).locator('dd', { hasText: /\d/ }).waitFor();

      // Sent (handed to Plivo): every status that was, REJECTED included (it was left out).
      const handedOver = ['submitted', 'queued', 'sent', 'delivered', 'undelivered', 'unconfirmed', 'rejected'];
      let shouldRead = 0;
      for (const name of handedOver) {
        shouldRead += await counter(name);
      }
      await waitFor(
        'the chart to count rejected messages as sent',
        async () =>
          ((await page.locator('.chart figcaption').textContent()) ?? '').startsWith(`Now: ${shouldRead} sent,`),
        5_000,
      ).catch(async (error: Error) => {
        throw new Error(
          `${error.message}\nExpected ${shouldRead} sent; the caption: ${await page.locator('.chart figcaption').textContent()}`,
        );
      });
      await expectAccessible(page, 'cancelled campaign');
      expect(browser.cspViolations).toEqual([]);
    },
  );
});
