import { parse as parseCsv } from 'csv-parse/sync';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CampaignStatus } from '../../src/domain/campaign-status.enum';
import { MessageStatus } from '../../src/domain/message-status.enum';
import { progressFactory } from '../factories/progress.factory';
import { graphql } from '../utils/graphql-client';
import { gbNumbers, waitFor } from '../utils/phone-numbers';
import { TEST_DATABASES } from '../utils/test-databases';
import { CLI_JS, CliRun, runCli } from '../utils/run-cli';
import { startTestApp, TestApp } from '../utils/test-app';

describe.each(TEST_DATABASES)('the CLI against the service on %s', (database) => {
  let testApp: TestApp;
  let factory: ReturnType<typeof progressFactory>;
  let files: string;

  beforeAll(async () => {
    // npm test builds first (pretest); run `npx nest build` before running this file alone.
    if (!existsSync(CLI_JS)) {
      throw new Error(`${CLI_JS} is missing: run \`npx nest build\` first`);
    }
    // A fast sandbox and pacing (Plivo's seconds become milliseconds), so a sent campaign ends quickly.
    testApp = await startTestApp(database, {
      SANDBOX_TIME_SCALE: '0.001',
      SANDBOX_MPS: '100000',
      PLIVO_MPS: '100000',
      DISPATCH_POLL_MS: '20',
    });
    factory = progressFactory(testApp.app);
    files = mkdtempSync(path.join(tmpdir(), 'bulk-sms-cli-files-'));
  });

  afterAll(async () => {
    await testApp.close();
    rmSync(files, { recursive: true, force: true });
  });

  function numbersFile(content: string): string {
    const file = path.join(files, `numbers-${Math.random().toString(36).slice(2)}.csv`);
    writeFileSync(file, content);
    return file;
  }

  it('should print a quote with encoding, segments, the per-country table and the total', async () => {
    const { apiKey } = await testApp.newAccount();
    const file = numbersFile(
      'phone,name\n"+14155550100","Ann, A."\n+442071838750,Bob\n+14155550101,Cy\nnot-a-number,Dee\n',
    );
    const run = await runCli([
      'quote',
      '--url',
      testApp.baseUrl,
      '--key',
      apiKey,
      '--file',
      file,
      '--text',
      'Hello from the CLI',
    ]);

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Encoding: GSM7, 18 characters, 1 segment\(s\) per message$/m);
    expect(run.stdout).toMatch(/^Recipients: 3 valid, 1 rejected$/m);
    expect(run.stdout).toMatch(/^ {2}"not-a-number": /m);
    expect(run.stdout).toMatch(/^country\s+recipients\s+per segment\s+cost$/m);
    expect(run.stdout).toMatch(/^US\s+2\s+[\d.]+ USD\s+[\d.]+ USD$/m);
    expect(run.stdout).toMatch(/^GB\s+1\s+[\d.]+ USD\s+[\d.]+ USD$/m);
    expect(run.stdout).toMatch(/^Total: [\d.]+ USD$/m);
  });

  it('should say how many recipients of a list leave a field the text reads empty', async () => {
    const { apiKey } = await testApp.newAccount();
    const file = numbersFile('phone,name,city\n+14155550110,Ann,\n+14155550111,,\n+14155550112,Cy,\n');
    const run = await runCli([
      'quote',
      '--url',
      testApp.baseUrl,
      '--key',
      apiKey,
      '--file',
      file,
      '--text',
      'Hi {{ name }} from {{ city | default: "us" }}',
    ]);

    // stderr shows the upload's progress bar.
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^Empty field: "name" is empty for 1 recipient \(it renders as nothing there; add \| default: "…" where the text reads it\)$/m,
    );
    expect(run.stdout).toMatch(
      /^Empty field: "city" is empty for 3 recipients \(they get the default the text gives it\)$/m,
    );
  });

  it('should read a relative --file where the user typed the command (npm run sets INIT_CWD), not where the CLI runs', async () => {
    const { apiKey } = await testApp.newAccount();
    const file = numbersFile('phone\n+14155550100\n+14155550101\n');
    const connection = ['--url', testApp.baseUrl, '--key', apiKey];
    const run = await runCli(['quote', ...connection, '--file', path.basename(file), '--text', 'hi'], {
      INIT_CWD: files,
    });
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^Recipients: 2 valid, 0 rejected$/m);

    // A file that is not there, read whole or streamed as a list: its full path, no stack trace.
    for (const streamed of [[], ['--phone-column', 'phone']]) {
      const missing = await runCli(['quote', ...connection, ...streamed, '--file', 'nope.csv', '--text', 'hi'], {
        INIT_CWD: files,
      });
      expect(missing.code).toBe(1);
      expect(missing.stderr).toBe(`error: cannot read ${path.join(files, 'nope.csv')} (ENOENT)\n`);
    }
  });

  it('should print a campaign’s status', async () => {
    const { accountId, apiKey } = await testApp.newAccount();
    const campaign = await factory.campaign(accountId, { messages: 4, name: 'spring sale' });
    await factory.moveMessages(campaign.id, MessageStatus.SUBMITTED, MessageStatus.DELIVERED, 1, '0.0035');

    const run = await runCli(['status', campaign.id, '--url', testApp.baseUrl], { BULK_SMS_API_KEY: apiKey });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Campaign ${campaign.id} (spring sale): SENDING`);
    expect(run.stdout).toMatch(/\] {2}25% 1\/4 done · delivered 1 · 0\.0035 USD · SENDING( · ETA \d\d:\d\d:\d\dZ)?$/m);
  });

  it('should watch a campaign to its end and print the tally with cost per status', async () => {
    const { accountId, apiKey } = await testApp.newAccount();
    const campaign = await factory.campaign(accountId, { messages: 5 });
    const watching = new Promise<void>((resolve) => {
      void runCli(['status', campaign.id, '--watch', '--url', testApp.baseUrl, '--key', apiKey], {}, (stderr) => {
        // The first plain progress line (stderr is not a terminal here) means the subscription is live.
        if (stderr.includes('done')) {
          resolve();
        }
      }).then((run) => finished.resolve(run));
    });
    const finished = deferred<CliRun>();
    await watching;

    await factory.moveMessages(campaign.id, MessageStatus.SUBMITTED, MessageStatus.DELIVERED, 4, '0.0035');
    await factory.moveMessages(campaign.id, MessageStatus.SUBMITTED, MessageStatus.UNDELIVERED, 1, '0.0035');
    await factory.setStatus(campaign.id, CampaignStatus.COMPLETED);
    factory.signal(campaign.id);
    const run = await finished.promise;

    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/100% 5\/5 done · delivered 4 · undelivered 1 · 0\.0175 USD · COMPLETED/);
    expect(run.stdout).toContain(`Campaign ${campaign.id}: COMPLETED\nstatus       messages        cost`);
    expect(run.stdout).toMatch(/^DELIVERED\s+4\s+0\.014 USD$/m);
    expect(run.stdout).toMatch(/^UNDELIVERED\s+1\s+0\.0035 USD$/m);
    expect(run.stdout).toMatch(/^total\s+5\s+0\.0175 USD$/m);
  });

  it('should exit 1 with the GraphQL code and message for an unknown campaign', async () => {
    const { apiKey } = await testApp.newAccount();
    const run = await runCli([
      'status',
      '00000000-0000-4000-8000-000000000000',
      '--url',
      testApp.baseUrl,
      '--key',
      apiKey,
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'error: NOT_FOUND: campaign 00000000-0000-4000-8000-000000000000 not found (for this API key)\n',
    );

    const watch = await runCli([
      'status',
      '00000000-0000-4000-8000-000000000000',
      '--watch',
      '--url',
      testApp.baseUrl,
      '--key',
      apiKey,
    ]);
    expect(watch.code).toBe(1);
  });

  it('should say so when the API key is wrong, naming where the key came from', async () => {
    const flag = await runCli([
      'status',
      '00000000-0000-4000-8000-000000000000',
      '--url',
      testApp.baseUrl,
      '--key',
      'sk_wrong',
    ]);
    expect(flag.code).toBe(1);
    expect(flag.stderr).toMatch(
      /^error: UNAUTHENTICATED: Invalid API key \(wrong or missing API key: .*\) \[key from --key\]$/m,
    );

    const { apiKey } = await testApp.newAccount();
    const env = await runCli(['quote', '--text', 'hi', '--url', testApp.baseUrl], { BULK_SMS_API_KEY: `${apiKey}x` });
    expect(env.code).toBe(1);
    expect(env.stderr).toMatch(/UNAUTHENTICATED.*\[key from \$BULK_SMS_API_KEY\]/);
  });

  it('should send a campaign from a numbers file and report its rejected recipients', async () => {
    const { apiKey } = await testApp.newAccount();
    const file = numbersFile('number\n+442071838750\n"+44 20 7183 8751"\n+442071838750\nnope\n');
    const args = [
      'send',
      '--file',
      file,
      '--text',
      'Hi from the CLI',
      '--name',
      'cli send',
      '--idempotency-key',
      'cli-1',
    ];
    const run = await runCli([...args, '--no-watch', '--url', testApp.baseUrl, '--key', apiKey]);

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const id = /^Campaign ([0-9a-f-]{36}) (QUEUED|SENDING|COMPLETED) \(cli send\)$/m.exec(run.stdout)?.[1];
    expect(id).toBeDefined();
    expect(run.stdout).toMatch(/^ {2}2 recipients of 4 read, GSM7 × 1 segment\(s\), estimated [\d.]+ USD$/m);
    expect(run.stdout).toContain(
      '  rejected recipients: 2\n    "+442071838750": duplicate\n    "nope": not a valid phone number\n',
    );

    // The same idempotency key again: the same campaign.
    const again = await runCli([...args, '--no-watch', '--url', testApp.baseUrl, '--key', apiKey]);
    expect(again.stdout).toContain(`Campaign ${id} `);
  });

  it('should send a CSV with a template in one request, printing the rows it read and the campaign', async () => {
    const { apiKey } = await testApp.newAccount();
    const [a, b] = gbNumbers(2, 71_000);
    const file = numbersFile(`name,mobile\nAnn,${a}\nBob,${b}\nNone,12345\n`);
    const run = await runCli(
      [
        'send',
        '--file',
        file,
        '--text',
        'Hi {{ name }}',
        '--default-country',
        'GB',
        '--no-watch',
        '--url',
        testApp.baseUrl,
      ],
      { BULK_SMS_API_KEY: apiKey },
    );

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('File: 2 recipients of 3 rows (phone column "mobile", fields name)\n');
    expect(run.stdout).toContain('    row 4, mobile: "12345": not a valid phone number\n');
    const id = /^Campaign ([0-9a-f-]{36}) (QUEUED|SENDING|COMPLETED)$/m.exec(run.stdout)?.[1];
    expect(id).toBeDefined();
    expect(run.stdout).toMatch(/^ {2}2 recipients of 2 read, GSM7 × 1 segment\(s\), estimated [\d.]+ USD$/m);
    expect(run.stdout).toContain("  rejected recipients: 0 (besides the file's rejected rows above)\n");
    const texts = await graphql<{ campaign: { messages: { edges: Array<{ node: { to: string; text: string } }> } } }>(
      testApp.baseUrl,
      apiKey,
      'query($id: ID!) { campaign(id: $id) { messages(first: 10) { edges { node { to text } } } } }',
      { id },
    );
    expect(texts.data!.campaign.messages.edges.map((e) => e.node).sort((x, y) => x.to.localeCompare(y.to))).toEqual(
      [
        { to: a, text: 'Hi Ann' },
        { to: b, text: 'Hi Bob' },
      ].sort((x, y) => x.to.localeCompare(y.to)),
    );
  });

  it('should import a suppression CSV, naming its bad row, and export the same list', async () => {
    const { apiKey } = await testApp.newAccount();
    const [a, b, c, d] = gbNumbers(4, 70_000);
    const spaced = `${b.slice(0, 3)} ${b.slice(3, 7)} ${b.slice(7)}`;
    // Row 1 is the header, row 3 is blank, row 5 repeats row 2, row 6 is not a number.
    const file = numbersFile(
      `phone,note\n${a},first\n\n"${spaced}",spaced\n${a},again\nnot-a-number,typo\n${c},last\n`,
    );
    const reason = 'complaint, by phone';
    const imported = await runCli(['suppressions', 'import', file, '--reason', reason, '--url', testApp.baseUrl], {
      BULK_SMS_API_KEY: apiKey,
    });

    // The valid rows are on the list; the bad one is named with its row, and the exit code says so.
    expect(imported.stdout).toBe(
      'Suppressed 3 numbers (0 already were); 0 waiting messages will not be sent. 1 duplicate rows skipped.\n',
    );
    expect(imported.stderr).toBe(
      'error: 1 rows not imported (fix them and import the file again; the numbers already on the list are skipped):\n' +
        '  row 6: "not-a-number": not a valid phone number\n',
    );
    expect(imported.code).toBe(1);

    // The corrected file again: only the new number is added, nothing is lost or doubled.
    const fixed = await runCli(
      ['suppressions', 'import', numbersFile(`${a}\n${d}\n`), '--url', testApp.baseUrl, '--key', apiKey],
      {},
    );
    expect(fixed.stderr).toBe('');
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toBe('Suppressed 1 numbers (1 already were); 0 waiting messages will not be sent.\n');

    const exported = await runCli(['suppressions', 'export', '--url', testApp.baseUrl, '--key', apiKey]);
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    const [header, ...lines] = exported.stdout.trimEnd().split('\n');
    expect(header).toBe('phone,source,reason,campaignId,createdAt');
    const rows = lines.map((line) => {
      const match = /^(\+\d+),(\w+),("(?:[^"]|"")*"|[^,]*),([^,]*),(\S+)$/.exec(line);
      expect(match).not.toBeNull();
      const [, phone, source, quoted, campaignId, createdAt] = match!;
      return { phone, source, reason: quoted.replace(/^"|"$/g, '').replace(/""/g, '"'), campaignId, createdAt };
    });
    expect(rows.map((r) => r.phone).sort()).toEqual([a, b, c, d].sort());
    expect(new Set(rows.map((r) => r.source))).toEqual(new Set(['CSV_IMPORT']));
    expect(rows.find((r) => r.phone === b)).toMatchObject({ reason, campaignId: '' });
    expect(rows.find((r) => r.phone === d)).toMatchObject({ reason: 'imported from CSV' });
    expect(rows.every((r) => !Number.isNaN(Date.parse(r.createdAt)))).toBe(true);

    // The same list through GraphQL.
    const listed = await graphql<{
      suppressions: { totalCount: number; edges: Array<{ node: { phone: string; source: string; reason: string } }> };
    }>(testApp.baseUrl, apiKey, '{ suppressions(first: 50) { totalCount edges { node { phone source reason } } } }');
    expect(listed.errors).toBeUndefined();
    expect(listed.data!.suppressions.totalCount).toBe(4);
    expect(listed.data!.suppressions.edges.map((e) => e.node).sort((x, y) => x.phone.localeCompare(y.phone))).toEqual(
      rows
        .map(({ phone, source, reason: r }) => ({ phone, source, reason: r }))
        .sort((x, y) => x.phone.localeCompare(y.phone)),
    );
  });

  it('should export a finished sandbox campaign as CSV and NDJSON, row for row like the messages connection', async () => {
    const { apiKey } = await testApp.newAccount();
    const recipients = gbNumbers(7, 71_000);
    const sent = await graphql<{ sendBulk: { id: string } }>(
      testApp.baseUrl,
      apiKey,
      'mutation($input: SendBulkInput!) { sendBulk(input: $input) { id } }',
      { input: { recipients, text: 'Export me' } },
    );
    expect(sent.errors).toBeUndefined();
    const id = sent.data!.sendBulk.id;
    type Node = { id: string; to: string; status: string; providerMessageId: string | null };
    const connection = await waitFor('the campaign finished', async () => {
      const page = await graphql<{
        campaign: { status: string; messages: { totalCount: number; edges: Array<{ node: Node }> } };
      }>(
        testApp.baseUrl,
        apiKey,
        `
          query ($id: ID!) {
            campaign(id: $id) {
              status
              messages(first: 500) {
                totalCount
                edges {
                  node {
                    id
                    to
                    status
                    providerMessageId
                  }
                }
              }
            }
          }
        `,
        { id },
      );
      expect(page.errors).toBeUndefined();
      return page.data!.campaign.status === 'COMPLETED' ? page.data!.campaign.messages : null;
    });
    expect(connection.totalCount).toBe(recipients.length);
    const nodes = connection.edges.map((e) => e.node);

    const out = path.join(files, `campaign-${id}.csv`);
    const csv = await runCli(['export', id, '--out', out, '--url', testApp.baseUrl, '--key', apiKey]);
    expect(csv.code).toBe(0);
    expect(csv.stdout).toBe('');
    // Progress on stderr (plain lines: not a terminal), ending with the file written.
    expect(csv.stderr.split('\n').slice(-3)).toEqual([expect.stringMatching(/100% 7\/7 rows$/), `Wrote ${out}`, '']);
    const [columns, ...cells]: string[][] = parseCsv(readFileSync(out, 'utf8'));
    expect(columns).toEqual(expect.arrayContaining(['message_id', 'to', 'status', 'provider_message_id']));
    const cell = (row: string[], name: string): string => row[columns.indexOf(name)];
    expect(cells).toHaveLength(nodes.length);
    cells.forEach((row, i) => {
      expect({
        id: cell(row, 'message_id'),
        to: cell(row, 'to'),
        status: cell(row, 'status'),
        providerMessageId: cell(row, 'provider_message_id') || null,
        // Formula-safe: a cell starting with "+" is written with a leading quote.
      }).toEqual({ ...nodes[i], to: `'${nodes[i].to}` });
    });

    const ndjson = await runCli(['export', id, '--format', 'ndjson', '--url', testApp.baseUrl, '--key', apiKey]);
    expect(ndjson.code).toBe(0);
    expect(ndjson.stderr.split('\n').slice(-3)).toEqual([expect.stringMatching(/100% 7\/7 rows$/), 'Done', '']);
    const records = ndjson.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(
      records.map((r) => ({ id: r.messageId, to: r.to, status: r.status, providerMessageId: r.providerMessageId })),
    ).toEqual(nodes);
  });

  it('should explain usage mistakes and a missing key without calling the service', async () => {
    const noId = await runCli(['status', '--url', testApp.baseUrl, '--key', 'k']);
    expect(noId.code).toBe(1);
    expect(noId.stderr).toMatch(/^error: status: give exactly one campaign id/);
    expect(noId.stderr).toContain('Usage: npm run cli -- <command> [options]');

    const unknownOption = await runCli(['send', '--file', 'x.csv', '--text', 'hi', '--colour', 'red']);
    expect(unknownOption.code).toBe(1);
    expect(unknownOption.stderr).toMatch(/^error: Unknown option '--colour'/);

    const noKey = await runCli(['status', '00000000-0000-4000-8000-000000000000', '--url', testApp.baseUrl]);
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toMatch(/^error: no API key: pass --key, set BULK_SMS_API_KEY/);

    const unreachable = await runCli(['status', 'x', '--url', 'http://127.0.0.1:9', '--key', 'k']);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/^error: UNREACHABLE: cannot reach the service at http:\/\/127\.0\.0\.1:9/);
  });
});

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
