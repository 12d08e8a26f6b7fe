import http from 'node:http';
import { json, readBody } from './sandbox-http';
import { SandboxRecords } from './sandbox-records';

export interface SandboxControl {
  stats(): unknown;
  config(): unknown;
  configure(patch: Record<string, unknown>): string[];
  reset(): void;
  inbound(): readonly unknown[];
  sendInbound(from: string, to: string, text: string): unknown;
}

/** The `/__sandbox/` control API: stats, submissions, config and reset (docs/sandbox.md). */
export async function handleControl(
  deps: { control: SandboxControl; records: SandboxRecords },
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
): Promise<void> {
  const path = url.pathname.replace(/\/+$/, '');
  if (req.method === 'GET' && path === '/__sandbox/stats') {
    return json(res, 200, deps.control.stats());
  }
  if (req.method === 'GET' && path === '/__sandbox/config') {
    return json(res, 200, deps.control.config());
  }
  if (req.method === 'GET' && path === '/__sandbox/duplicates') {
    return json(res, 200, { duplicates: deps.records.duplicates() });
  }
  if (req.method === 'GET' && path === '/__sandbox/submissions') {
    const to = url.searchParams.get('to');
    const limit = Math.min(Number(url.searchParams.get('limit') ?? 100) || 100, 10_000);
    const all = to ? deps.records.submissionsFor(to.trim()) : deps.records.submissions.slice(-limit);
    return json(res, 200, {
      count: all.length,
      timesSubmitted: to ? deps.records.timesSubmitted(to.trim()) : undefined,
      submissions: all,
    });
  }
  if (req.method === 'POST' && path === '/__sandbox/config') {
    const body = await readBody(req, true);
    if (!body) {
      return json(res, 400, { errors: ['body must be a JSON object'] });
    }
    const errors = deps.control.configure(body);
    return errors.length > 0 ? json(res, 400, { errors }) : json(res, 200, deps.control.config());
  }
  if (req.method === 'GET' && path === '/__sandbox/inbound') {
    const all = deps.control.inbound();
    return json(res, 200, { count: all.length, inbound: all.slice(-10_000) });
  }
  if (req.method === 'POST' && path === '/__sandbox/inbound') {
    const body = await readBody(req, true);
    const { from, to, text } = body ?? {};
    if (typeof from !== 'string' || !/^\+?\d{6,15}$/.test(from) || typeof to !== 'string' || typeof text !== 'string') {
      return json(res, 400, { errors: ['body must be {"from": "+14155550123", "to": "14155550100", "text": "STOP"}'] });
    }
    return json(res, 200, deps.control.sendInbound(from, to, text));
  }
  if (req.method === 'POST' && path === '/__sandbox/reset') {
    deps.control.reset();
    return json(res, 200, { reset: true });
  }
  json(res, 404, { error: 'unknown sandbox control endpoint' });
}
