import http from 'node:http';
import { parse as parseQuery } from 'node:querystring';

const MAX_BODY_BYTES = 2 * 1024 * 1024;

export function json(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.destroyed) {
    return;
  }
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(payload),
    ...headers,
  });
  res.end(payload);
}

/** JSON or form body as an object; undefined when unreadable or too large. */
export async function readBody(
  req: http.IncomingMessage,
  jsonOnly = false,
): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) {
      return undefined;
    }
    chunks.push(chunk as Buffer);
  }
  const raw = Buffer.concat(chunks).toString('utf8');
  if (raw.trim() === '') {
    return {};
  }
  const type = req.headers['content-type'] ?? '';
  try {
    if (!jsonOnly && type.includes('application/x-www-form-urlencoded')) {
      return { ...parseQuery(raw) };
    }
    const parsed: unknown = JSON.parse(raw);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Drops the connection with a TCP reset when the platform allows it (the client sees ECONNRESET). */
export function resetSocket(req: http.IncomingMessage): void {
  const socket = req.socket as typeof req.socket & { resetAndDestroy?: () => void };
  if (typeof socket.resetAndDestroy === 'function') {
    socket.resetAndDestroy();
  } else {
    socket.destroy();
  }
}
