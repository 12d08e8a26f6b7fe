import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { SandboxAccount, SandboxAccounts } from './sandbox-accounts';
import { handleControl, SandboxControl } from './sandbox-control';
import { SandboxEngine } from './sandbox-engine';
import { json, readBody, resetSocket } from './sandbox-http';
import { SandboxFaults } from './sandbox-faults';
import { parseMessageRequest } from './sandbox-message-request';
import { messageRecordJson } from './sandbox-message';
import { countryByIso, pricingJson } from './sandbox-prices';
import { MessageFilter, SandboxRecords, SandboxSubmission } from './sandbox-records';
import { SandboxRateLimits } from './sandbox-rate-limits';
import { SandboxOptions } from './sandbox.options';

export interface SandboxServerDeps {
  options: () => SandboxOptions;
  engine: SandboxEngine;
  records: SandboxRecords;
  accounts: SandboxAccounts;
  limits: SandboxRateLimits;
  faults: SandboxFaults;
  control: SandboxControl;
}

export interface RequestStats {
  total: number;
  byStatus: Record<string, number>;
  rateLimited: number;
  concurrencyLimited: number;
  storm: number;
  injectedErrors: number;
  injectedTimeouts: number;
  injectedResets: number;
}

interface Answer {
  status: number;
  body: unknown;
  submission?: SandboxSubmission;
}

const API_PATH = /^\/v1\/Account\/([^/]+)\/(Message|Pricing|Subaccount)\/(?:([^/]+)\/?)?$/;
const MAX_LIST_LIMIT = 20;

/** Routes Plivo's API (as the SDK calls it) and the `/__sandbox/` control API over node:http. */
export function createSandboxServer(deps: SandboxServerDeps): {
  server: http.Server;
  stats: RequestStats;
  resetStats(): void;
} {
  const stats = emptyStats();
  const server = http.createServer({ keepAlive: true, requestTimeout: 0 }, (req, res) => {
    stats.total++;
    res.on('finish', () => {
      stats.byStatus[res.statusCode] = (stats.byStatus[res.statusCode] ?? 0) + 1;
    });
    handle(deps, stats, req, res).catch((error: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        json(res, 500, { api_id: randomUUID(), error: `sandbox error: ${String(error)}` });
      }
    });
  });
  server.keepAliveTimeout = 65_000;
  return {
    server,
    stats,
    resetStats: () => Object.assign(stats, emptyStats()),
  };
}

async function handle(
  deps: SandboxServerDeps,
  stats: RequestStats,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://sandbox');
  if (url.pathname.startsWith('/__sandbox/')) {
    return handleControl(deps, req, res, url);
  }
  const route = API_PATH.exec(url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`);
  const apiId = randomUUID();
  if (!route) {
    return json(res, 404, { api_id: apiId, error: 'not found' });
  }
  const options = deps.options();
  const [, pathId, resource, id] = route;
  const account = deps.accounts.authenticate(pathId, req.headers.authorization);
  if (!account) {
    return json(res, 401, { api_id: apiId, error: 'authentication failed' });
  }
  const now = Date.now();
  const admitted = deps.limits.admit(now);
  if (admitted !== 'ok') {
    if (admitted === 'rate') {
      stats.rateLimited++;
    } else {
      stats.concurrencyLimited++;
    }
    const retryAfter = Math.max(1, Math.ceil(deps.limits.retryAfterMs(now) / 1000));
    return json(res, 429, { api_id: apiId, error: 'too many requests' }, { 'Retry-After': String(retryAfter) });
  }
  let released = false;
  const release = () => {
    if (!released) {
      released = true;
      deps.limits.release();
    }
  };
  // 'close' also fires when a hung (timeout fault) request's client gives up.
  res.on('close', release);
  if (deps.faults.inStorm(now)) {
    stats.storm++;
    return json(res, 429, { api_id: apiId, error: 'too many requests' }, { 'Retry-After': '1' });
  }
  const body = req.method === 'POST' ? await readBody(req) : undefined;
  if (options.latencyMs > 0) {
    await new Promise((resolve) => setTimeout(resolve, options.latencyMs));
  }
  const fault = deps.faults.decide();
  if (fault.kind === 'reset' && !fault.accepted) {
    stats.injectedResets++;
    return resetSocket(req);
  }
  if (fault.kind === 'error' && !fault.accepted) {
    stats.injectedErrors++;
    return json(res, fault.status, errorBody(fault.status, apiId));
  }
  const answer = route2answer(deps, account, req.method ?? 'GET', resource, id, url, body, apiId);
  if (fault.kind === 'reset') {
    stats.injectedResets++;
    markAnswer(answer, 'reset');
    return resetSocket(req);
  }
  if (fault.kind === 'timeout') {
    // Plivo may have it: keep it, never answer; the client gives up and closes the socket.
    stats.injectedTimeouts++;
    markAnswer(answer, 'timeout');
    return;
  }
  if (fault.kind === 'error') {
    stats.injectedErrors++;
    markAnswer(answer, `error ${fault.status}`);
    return json(res, fault.status, errorBody(fault.status, apiId));
  }
  json(res, answer.status, answer.body);
}

function route2answer(
  deps: SandboxServerDeps,
  account: SandboxAccount,
  method: string,
  resource: string,
  id: string | undefined,
  url: URL,
  body: Record<string, unknown> | undefined,
  apiId: string,
): Answer {
  const options = deps.options();
  if (resource === 'Pricing') {
    if (method !== 'GET' || id) {
      return { status: 405, body: { api_id: apiId, error: 'method not allowed' } };
    }
    const iso = url.searchParams.get('country_iso');
    if (!iso) {
      return { status: 400, body: { api_id: apiId, error: 'country_iso parameter not present' } };
    }
    const country = countryByIso(iso);
    return country
      ? { status: 200, body: pricingJson(country, apiId) }
      : { status: 404, body: { api_id: apiId, error: `pricing not found for country_iso ${iso}` } };
  }
  if (resource === 'Subaccount') {
    return subaccountAnswer(deps, account, method, id, body, apiId);
  }
  if (method === 'GET' && id) {
    // Each (sub-)account sees its own messages.
    const message = deps.records.message(id);
    return message && message.batch.authId === account.authId
      ? { status: 200, body: { api_id: apiId, ...messageRecordJson(message) } }
      : { status: 404, body: { api_id: apiId, error: 'not found' } };
  }
  if (method === 'GET') {
    return listMessages(deps, url, apiId, account);
  }
  if (method !== 'POST' || id) {
    return { status: 405, body: { api_id: apiId, error: 'method not allowed' } };
  }
  if (body === undefined) {
    return { status: 400, body: { api_id: apiId, error: 'request body is not valid JSON or form data' } };
  }
  const now = Date.now();
  if (deps.engine.creditExhausted(now)) {
    return { status: 400, body: { api_id: apiId, error: 'Insufficient Credit' } };
  }
  const parsed = parseMessageRequest(body, new Set(options.countries));
  if (!parsed.ok) {
    return { status: parsed.status, body: { api_id: apiId, error: parsed.error } };
  }
  const barred = new Set(options.barredCountries);
  if (barred.size > 0 && parsed.request.recipients.every((r) => barred.has(r.country.iso))) {
    return { status: 403, body: { api_id: apiId, error: 'destination country barred: enable it in Geo Permissions' } };
  }
  const submission = deps.engine.accept(parsed.request, apiId, now, account);
  const answer: Record<string, unknown> = {
    api_id: apiId,
    message: 'message(s) queued',
    message_uuid: submission.messageUuids,
  };
  if (submission.invalidNumbers.length > 0) {
    answer.invalid_number = submission.invalidNumbers;
  }
  return { status: 202, body: answer, submission };
}

/**
 * Plivo's Subaccount API, for the main account only: POST creates one (`name` required, `enabled`
 * "true"/"false", default enabled) and answers 201 with its auth id and token; GET reads one or lists them.
 */
function subaccountAnswer(
  deps: SandboxServerDeps,
  account: SandboxAccount,
  method: string,
  id: string | undefined,
  body: Record<string, unknown> | undefined,
  apiId: string,
): Answer {
  if (account.isSubaccount) {
    return { status: 401, body: { api_id: apiId, error: 'a subaccount cannot manage subaccounts' } };
  }
  if (method === 'POST' && !id) {
    const name = body?.name;
    if (typeof name !== 'string' || name.trim() === '') {
      return { status: 400, body: { api_id: apiId, error: 'name parameter not present' } };
    }
    const enabled = body?.enabled === undefined || body.enabled === true || body.enabled === 'true';
    const created = deps.accounts.create(name.trim(), enabled, Date.now());
    return {
      status: 201,
      body: { api_id: apiId, auth_id: created.authId, auth_token: created.authToken, message: 'created' },
    };
  }
  if (method !== 'GET') {
    return { status: 405, body: { api_id: apiId, error: 'method not allowed' } };
  }
  const subaccountJson = (sub: SandboxAccount) => ({
    account: `/v1/Account/${account.authId}/`,
    auth_id: sub.authId,
    auth_token: sub.authToken,
    created: new Date(sub.createdAt).toISOString().slice(0, 10),
    enabled: sub.enabled,
    modified: null,
    name: sub.name,
    resource_uri: `/v1/Account/${account.authId}/Subaccount/${sub.authId}/`,
  });
  if (id) {
    const sub = deps.accounts.subaccount(id);
    return sub
      ? { status: 200, body: { api_id: apiId, ...subaccountJson(sub) } }
      : { status: 404, body: { api_id: apiId, error: 'not found' } };
  }
  const all = deps.accounts.list();
  return {
    status: 200,
    body: {
      api_id: apiId,
      meta: { limit: all.length, offset: 0, next: null, previous: null, total_count: all.length },
      objects: all.map(subaccountJson),
    },
  };
}

function listMessages(deps: SandboxServerDeps, url: URL, apiId: string, account: SandboxAccount): Answer {
  const authId = account.authId;
  const q = url.searchParams;
  const limit = q.has('limit') ? Number(q.get('limit')) : MAX_LIST_LIMIT;
  const offset = q.has('offset') ? Number(q.get('offset')) : 0;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
    return { status: 400, body: { api_id: apiId, error: `limit should be between 1 and ${MAX_LIST_LIMIT}` } };
  }
  if (!Number.isInteger(offset) || offset < 0) {
    return { status: 400, body: { api_id: apiId, error: 'offset should be a non-negative integer' } };
  }
  // The main account may ask for one of its sub-accounts' records (`subaccount`, as on Plivo).
  const subaccount = q.get('subaccount');
  const owner = subaccount && !account.isSubaccount && deps.accounts.subaccount(subaccount) ? subaccount : authId;
  const filter: MessageFilter = {
    authId: owner,
    toNumber: q.get('to_number') ?? undefined,
    fromNumber: q.get('from_number') ?? undefined,
    state: q.get('message_state') ?? undefined,
  };
  for (const [param, key] of [
    ['message_time__gte', 'timeGte'],
    ['message_time__gt', 'timeGt'],
    ['message_time__lte', 'timeLte'],
    ['message_time__lt', 'timeLt'],
  ] as const) {
    const raw = q.get(param);
    if (raw !== null) {
      const time = parseFilterTime(raw);
      if (time === null) {
        return {
          status: 400,
          body: { api_id: apiId, error: `${param} should look like YYYY-MM-DD HH:MM[:SS[.ffffff]]` },
        };
      }
      filter[key] = time;
    }
  }
  const direction = q.get('message_direction');
  const rows = direction === 'inbound' ? [] : deps.records.listMessages(filter, offset, limit + 1);
  const page = rows.slice(0, limit);
  const base = `/v1/Account/${authId}/Message/`;
  const pageUrl = (o: number) => {
    const params = new URLSearchParams(q);
    params.set('limit', String(limit));
    params.set('offset', String(o));
    return `${base}?${params.toString()}`;
  };
  return {
    status: 200,
    body: {
      api_id: apiId,
      meta: {
        limit,
        offset,
        next: rows.length > limit ? pageUrl(offset + limit) : null,
        previous: offset > 0 ? pageUrl(Math.max(0, offset - limit)) : null,
      },
      objects: page.map((m) => messageRecordJson(m)),
    },
  };
}

function markAnswer(answer: Answer, how: SandboxSubmission['answer']): void {
  if (answer.submission) {
    answer.submission.answer = how;
  }
}

function errorBody(status: number, apiId: string): Record<string, string> {
  const text: Record<number, string> = {
    400: 'invalid request',
    401: 'authentication failed',
    403: 'destination country barred: enable it in Geo Permissions',
    404: 'not found',
    429: 'too many requests',
    500: 'internal server error',
    502: 'bad gateway',
    503: 'service unavailable',
    504: 'gateway timeout',
  };
  return { api_id: apiId, error: text[status] ?? `error ${status}` };
}

/** Plivo's filter times: `YYYY-MM-DD HH:MM[:SS[.ffffff]]`, UTC. */
function parseFilterTime(raw: string): number | null {
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})(:\d{2})?(\.\d{1,6})?$/.exec(raw.trim());
  if (!match) {
    return null;
  }
  const [, day, hm, seconds = ':00', fraction = ''] = match;
  const ms = Date.parse(`${day}T${hm}${seconds}${fraction.slice(0, 4)}Z`);
  return Number.isNaN(ms) ? null : ms;
}

function emptyStats(): RequestStats {
  return {
    total: 0,
    byStatus: {},
    rateLimited: 0,
    concurrencyLimited: 0,
    storm: 0,
    injectedErrors: 0,
    injectedTimeouts: 0,
    injectedResets: 0,
  };
}
