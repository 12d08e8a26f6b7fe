/*
 * Measures the Plivo sandbox: how fast it answers 1,000-number batches and how many signed status
 * callbacks per second it delivers to a local receiver running in a separate process.
 *
 *   npm run build && node dist/bench/sandbox-throughput.js [messages=200000] [concurrency=8] [nocb]
 *
 * `nocb` submits without a callback URL, to time batch answers alone.
 *
 * The receiver answers 200 immediately and verifies every 500th signature with plivo's
 * validateV3Signature, so a broken signer fails the run.
 */
import { fork } from 'node:child_process';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { PlivoSandbox } from '../src/sandbox/sandbox';

interface ReceiverReport {
  port?: number;
  received?: number;
  badSignatures?: number;
}

const BATCH = 1000;

async function runReceiver(secret: string): Promise<void> {
  // Loaded lazily: only the receiver process needs the SDK.
  const { validateV3Signature } = await import('plivo');
  let received = 0;
  let badSignatures = 0;
  const server = http.createServer({ keepAlive: true }, (req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      received++;
      if (received % 500 === 0) {
        const params = Object.fromEntries(new URLSearchParams(body));
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${req.url}`;
        const ok = validateV3Signature(
          'POST',
          url,
          String(req.headers['x-plivo-signature-v3-nonce']),
          secret,
          String(req.headers['x-plivo-signature-v3']),
          params,
        );
        if (!ok) {
          badSignatures++;
        }
      }
      res.writeHead(200, { 'Content-Length': '0' });
      res.end();
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
  setInterval(() => process.send?.({ received, badSignatures }), 100).unref();
  process.on('message', (msg) => {
    if (msg === 'stop') {
      server.close();
      process.exit(0);
    }
  });
}

function postBatch(sandbox: PlivoSandbox, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = http.request(
      `${sandbox.apiUrl}${sandbox.authId}/Message/`,
      {
        method: 'POST',
        agent: benchAgent,
        headers: {
          Authorization: `Basic ${Buffer.from(`${sandbox.authId}:${sandbox.authToken}`).toString('base64')}`,
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(body),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 202
            ? resolve(Number(process.hrtime.bigint() - started) / 1e6)
            : reject(new Error(`HTTP ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const benchAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main(): Promise<void> {
  const total = Number(process.argv[2] ?? 200_000);
  const concurrency = Number(process.argv[3] ?? 8);
  const withCallbacks = process.argv[4] !== 'nocb';
  const secret = 'bench-webhook-secret';
  const child = fork(__filename, ['--receiver', secret], { execArgv: process.execArgv });
  let report: ReceiverReport = {};
  const port = await new Promise<number>((resolve) =>
    child.on('message', (msg: ReceiverReport) => {
      if (msg.port) {
        resolve(msg.port);
      } else {
        report = msg;
      }
    }),
  );
  const sandbox = await new PlivoSandbox({
    webhookSecret: secret,
    mps: 1_000_000,
    timeScale: 0.001,
    dlrDelayMs: 0,
    rateLimitRequests: 1_000_000,
    maxConcurrentRequests: 10_000,
    noReceiptCountries: [],
    outcomes: { delivered: 1, undelivered: 0, failed: 0, rejected: 0 },
    callbackConcurrency: Number(process.env.BENCH_CB_CONCURRENCY ?? 256),
    // Plivo's 8 s (real time): a loaded receiver must not turn into retries here.
    callbackTimeoutMs: 8_000,
  }).start();

  const batches = Math.ceil(total / BATCH);
  const latencies: number[] = [];
  const started = Date.now();
  let next = 0;
  const worker = async () => {
    while (next < batches) {
      const b = next++;
      const dst = Array.from({ length: BATCH }, (_, i) => `+4477009${String(b * BATCH + i).padStart(5, '0')}`).join(
        '<',
      );
      const body = JSON.stringify({
        src: '+14155550100',
        dst,
        text: 'Benchmark message',
        url: withCallbacks ? `http://127.0.0.1:${port}/dlr?b=${b}` : undefined,
        method: 'POST',
      });
      latencies.push(await postBatch(sandbox, body));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const submitMs = Date.now() - started;
  const expected = withCallbacks ? batches * BATCH * 3 : 0;
  while ((report.received ?? 0) < expected) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    if (Date.now() - started > 600_000) {
      break;
    }
  }
  const elapsed = (Date.now() - started) / 1000;
  const stats = sandbox.stats();
  console.log(
    JSON.stringify(
      {
        messages: batches * BATCH,
        batches,
        submitConcurrency: concurrency,
        batchLatencyMs: {
          p50: percentile(latencies, 50),
          p95: percentile(latencies, 95),
          p99: percentile(latencies, 99),
          max: Math.max(...latencies),
        },
        submitSeconds: submitMs / 1000,
        callbacksExpected: expected,
        callbacksReceived: report.received,
        badSignatures: report.badSignatures,
        seconds: elapsed,
        callbacksPerSecond: Math.round((report.received ?? 0) / elapsed),
        sandboxCallbackStats: stats.callbacks,
        rssMb: Math.round(process.memoryUsage().rss / 1e6),
      },
      null,
      2,
    ),
  );
  await sandbox.stop();
  benchAgent.destroy();
  child.send('stop');
}

if (process.argv[2] === '--receiver') {
  void runReceiver(process.argv[3]);
} else {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
