/*
 * Load generator for bench/delivery-reports.ts, run in its own process (child_process.fork): builds
 * and signs every delivery report first (as Plivo would, with V3 signatures), then sends them over
 * `connections` keep-alive sockets and reports throughput and latency percentiles over IPC.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { signPlivoV3 } from '../src/common/plivo-signature/plivo-v3-signature';

export interface LoadJob {
  /** http://127.0.0.1:PORT */
  target: string;
  /** The public URL the service verifies against (API_BASE_URL + path). */
  publicReportUrl: string;
  path: string;
  secret: string;
  connections: number;
  messages: Array<{ batchId: string; to: string }>;
  /** Where this generator's nonces start; generators running side by side need disjoint ranges. */
  firstNonce?: string;
}

export interface LoadResult {
  sent: number;
  statuses: Record<string, number>;
  errors: number;
  elapsedMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** This load generator's own user + system CPU over the run, in ms. */
  cpuMs: number;
}

interface Prepared {
  path: string;
  headers: http.OutgoingHttpHeaders;
  body: Buffer;
}

/** The fields of a Plivo status callback for a one-part message to `to` (E.164), as Plivo sends them. */
export function callbackParams(
  uuid: string,
  to: string,
  status: 'sent' | 'delivered',
  sequence: string,
): Record<string, string> {
  return {
    MessageUUID: uuid,
    To: to.replace(/^\+/, ''),
    From: '14155550100',
    Type: 'sms',
    Status: status,
    Sequence: sequence,
    Units: '1',
    TotalRate: '0.00450',
    TotalAmount: '0.00450',
    MCC: '234',
    MNC: '10',
    MessageTime: '2026-11-27 10:00:00.000000',
    QueuedTime: '2026-11-27 10:00:00.100000',
    SentTime: '2026-11-27 10:00:01.000000',
    ...(status === 'delivered' && { DeliveryReportTime: '2026-11-27 10:00:05.000000' }),
    ParentMessageUUID: uuid,
    PartInfo: '1 of 1',
  };
}

function prepare(job: LoadJob): Prepared[] {
  const prepared: Prepared[] = [];
  let nonce = BigInt(job.firstNonce ?? '10000000000000000000000');
  for (const { batchId, to } of job.messages) {
    const uuid = randomUUID();
    for (const [status, sequence] of [
      ['sent', '2'],
      ['delivered', '3'],
    ] as const) {
      const params = callbackParams(uuid, to, status, sequence);
      const query = `?batch=${batchId}`;
      const n = String(nonce++);
      const body = Buffer.from(new URLSearchParams(params).toString());
      prepared.push({
        path: job.path + query,
        body,
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          'Content-Length': body.length,
          'X-Plivo-Signature-V3': signPlivoV3('POST', job.publicReportUrl + query, n, job.secret, params),
          'X-Plivo-Signature-V3-Nonce': n,
        },
      });
    }
  }
  return prepared;
}

async function run(job: LoadJob, prepared: Prepared[]): Promise<LoadResult> {
  const url = new URL(job.target);
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.connections, maxFreeSockets: job.connections });
  const latencies = new Float64Array(prepared.length);
  const statuses: Record<string, number> = {};
  let errors = 0;
  let next = 0;
  const send = (request: Prepared): Promise<number> =>
    new Promise((resolve) => {
      const req = http.request(
        { agent, hostname: url.hostname, port: url.port, path: request.path, method: 'POST', headers: request.headers },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', () => resolve(0));
      req.end(request.body);
    });
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  await Promise.all(
    Array.from({ length: job.connections }, async () => {
      while (next < prepared.length) {
        const index = next++;
        const t0 = performance.now();
        const status = await send(prepared[index]);
        latencies[index] = performance.now() - t0;
        statuses[status] = (statuses[status] ?? 0) + 1;
        // 503 is the service shedding load (Plivo retries it): counted apart, not an error.
        if (status !== 200 && status !== 503) {
          errors++;
        }
      }
    }),
  );
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  agent.destroy();
  const sorted = Array.from(latencies).sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return {
    sent: prepared.length,
    statuses,
    errors,
    elapsedMs,
    p50Ms: at(0.5),
    p90Ms: at(0.9),
    p99Ms: at(0.99),
    maxMs: sorted[sorted.length - 1],
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

if (require.main === module && process.send) {
  let prepared: Prepared[] = [];
  let job: LoadJob;
  process.on('message', (message: { type: 'job'; job: LoadJob } | { type: 'go' }) => {
    if (message.type === 'job') {
      job = message.job;
      prepared = prepare(job);
      process.send!({ type: 'ready', count: prepared.length });
    } else {
      void run(job, prepared).then((result) => {
        process.send!({ type: 'result', result }, () => process.exit(0));
      });
    }
  });
}
