import { Agent, createServer, request, Server, ServerResponse } from 'node:http';
import { AddressInfo, connect, Socket } from 'node:net';
import { RequestDrain } from './request-drain';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(port: number, path: string, agent?: Agent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Resolves with everything the server wrote once `until` matches it. */
function readUntil(socket: Socket, received: { text: string }, until: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (until.test(received.text)) {
        socket.off('data', check);
        socket.off('close', closed);
        resolve(received.text);
      }
    };
    const closed = (): void => reject(new Error(`connection closed before ${until}; got: ${received.text}`));
    socket.on('data', check);
    socket.once('close', closed);
    check();
  });
}

describe('RequestDrain', () => {
  let server: Server;
  let drain: RequestDrain;
  let port: number;
  /** The requests the server holds, unanswered, by path. */
  let held: Map<string, ServerResponse>;
  let seen: string[];
  let arrivals: Array<() => void>;

  const arrived = (path: string): Promise<void> =>
    new Promise((resolve) => {
      const check = (): void => (seen.includes(path) ? resolve() : void arrivals.push(check));
      check();
    });

  beforeEach(async () => {
    held = new Map();
    seen = [];
    arrivals = [];
    server = createServer((req, res) => {
      if (req.url === '/at-once') {
        res.end('at once');
      } else {
        held.set(req.url!, res);
        if (req.url === '/headers-first') {
          res.writeHead(200, { 'Content-Type': 'text/plain' });
          res.flushHeaders();
        }
      }
    });
    drain = new RequestDrain();
    drain.attach(server);
    // After attach, like any listener: it sees every request, refused ones too.
    server.on('request', (req) => {
      seen.push(req.url!);
      arrivals.splice(0).forEach((check) => check());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterEach(() => {
    server.closeAllConnections();
    server.close();
  });

  it('should pass requests through until stop()', async () => {
    await expect(get(port, '/at-once')).resolves.toMatchObject({ status: 200, body: 'at once' });
    expect(drain.requestsInFlight).toBe(0);
  });

  it('should let a request in flight finish, tell its client the connection closes, and stop only then', async () => {
    const agent = new Agent({ keepAlive: true });
    const answer = get(port, '/slow', agent);
    await arrived('/slow');
    expect(drain.requestsInFlight).toBe(1);
    // An HTTP request is not an operation.
    expect(drain.operationsInFlight).toBe(0);

    let stopped = false;
    const stopping = drain.stop(server, 60_000).then(() => (stopped = true));
    await expect(get(port, '/at-once')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(stopped).toBe(false);

    held.get('/slow')!.end('slow done');
    await expect(answer).resolves.toMatchObject({ status: 200, body: 'slow done', headers: { connection: 'close' } });
    await stopping;
    expect(drain.requestsInFlight).toBe(0);
    agent.destroy();
  });

  it('should refuse with 503 a request that arrives on an open connection once stopping', async () => {
    const socket = connect(port, '127.0.0.1');
    const received = { text: '' };
    socket.on('data', (chunk: Buffer) => (received.text += chunk.toString()));
    socket.write('GET /headers-first HTTP/1.1\r\nHost: test\r\n\r\n');
    await readUntil(socket, received, /^HTTP\/1\.1 200/);

    const stopping = drain.stop(server, 60_000);
    socket.write('GET /next HTTP/1.1\r\nHost: test\r\n\r\n');
    await arrived('/next');
    held.get('/headers-first')!.end('first done');
    await stopping;

    const text = await readUntil(socket, received, /shutting down/);
    const refused = text.slice(text.indexOf('HTTP/1.1 503'));
    expect(text.indexOf('first done')).toBeGreaterThan(0);
    expect(refused).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/);
    expect(refused).toMatch(/\r\nRetry-After: 5\r\n/);
    expect(refused).toMatch(/\r\nConnection: close\r\n/);
    expect(JSON.parse(refused.slice(refused.indexOf('\r\n\r\n') + 4))).toEqual({
      statusCode: 503,
      code: 'SERVICE_UNAVAILABLE',
      message: 'The service is shutting down: retry in 5 s',
    });
    await new Promise((resolve) => (socket.closed ? resolve(undefined) : socket.once('close', resolve)));
  });

  it('should close the connections of requests still in flight after the timeout, and return the same stop to every call', async () => {
    const answer = get(port, '/never');
    await arrived('/never');

    const stopping = drain.stop(server, 50);
    expect(drain.stop(server, 60_000)).toBe(stopping);
    await stopping;

    await expect(answer).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(drain.requestsInFlight).toBe(0);
  });

  it('should wait for tracked work (graphql-ws operations) to settle, and tell it is stopping', async () => {
    let finish: () => void = () => undefined;
    const work = new Promise<string>((resolve) => (finish = () => resolve('done')));
    expect(drain.track(work)).toBe(work);
    expect(drain.track('a value')).toBe('a value');
    expect(drain.requestsInFlight).toBe(1);
    expect(drain.operationsInFlight).toBe(1);
    expect(drain.isStopping).toBe(false);

    let stopped = false;
    const stopping = drain.stop(server, 60_000).then(() => (stopped = true));
    expect(drain.isStopping).toBe(true);
    await new Promise(setImmediate);
    expect(stopped).toBe(false);
    finish();
    await stopping;
    expect(drain.requestsInFlight).toBe(0);
    expect(drain.operationsInFlight).toBe(0);
  });

  it('should count tracked work that fails as settled', async () => {
    const failing = Promise.reject(new Error('resolver failed'));
    drain.track(failing).catch(() => undefined);
    await drain.stop(server, 60_000);
    expect(drain.requestsInFlight).toBe(0);
  });

  it('should stop at once with nothing in flight', async () => {
    await drain.stop(server, 60_000);
    expect(server.listening).toBe(false);
  });
});
