import { Agent, createServer, request, Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { keepConnectionsLongerThanClients } from './keep-alive';

function get(port: number, agent: Agent): Promise<{ body: string; keepAlive: string | undefined; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () =>
        resolve({ body, keepAlive: res.headers['keep-alive'] as string | undefined, socket: req.socket! }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('keepConnectionsLongerThanClients', () => {
  let server: Server;
  let agent: Agent;
  let answer: () => void = () => undefined;
  let arrived: Promise<void>;

  beforeEach(async () => {
    // Each request is answered when the test says so: a request can be in flight at close().
    // `arrived` settles once the server holds the request (a fixed sleep raced a busy machine).
    let markArrived: () => void = () => undefined;
    arrived = new Promise((resolve) => (markArrived = resolve));
    server = createServer((_req, res) => {
      answer = () => res.end('ok');
      markArrived();
    });
    keepConnectionsLongerThanClients(server);
    agent = new Agent({ keepAlive: true, maxSockets: 1 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterEach(() => {
    agent.destroy();
    server.closeAllConnections();
  });

  it('should tell clients it keeps idle connections 65 s, longer than Node’s 5 s', async () => {
    const port = (server.address() as AddressInfo).port;
    const pending = get(port, agent);
    await arrived;
    answer();
    expect((await pending).keepAlive).toBe('timeout=65');
    server.close();
  });

  it('should end a connection that answers a request during close() as soon as it is idle', async () => {
    const port = (server.address() as AddressInfo).port;
    const inFlight = get(port, agent);
    await arrived;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    answer();
    const { body, socket } = await inFlight;
    expect(body).toBe('ok');
    // Without the sweep the server would keep this socket for the 65 s keep-alive time: far past
    // Jest's 5 s default timeout, so waiting for both here is the check.
    await Promise.all([
      closed,
      new Promise((resolve) => (socket.destroyed ? resolve(null) : socket.once('close', resolve))),
    ]);
    expect(socket.destroyed).toBe(true);
  });
});
