import http from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import { WebhookHttpSender } from './webhook-http-sender';

/** An endpoint that drops the connection, without answering, at the request numbers given (per connection). */
async function endpoint(dropOnConnectionRequest: number[]) {
  const seen: number[] = [];
  const perSocket = new WeakMap<Socket, number>();
  const server = http.createServer((request, response) => {
    const nth = (perSocket.get(request.socket) ?? 0) + 1;
    perSocket.set(request.socket, nth);
    seen.push(nth);
    request.resume();
    if (dropOnConnectionRequest.includes(nth)) {
      request.socket.destroy();
      return;
    }
    response.writeHead(204).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, seen, close: () => new Promise((resolve) => server.close(resolve)) };
}

describe(WebhookHttpSender.name, () => {
  const sender = new WebhookHttpSender(2_000, true);
  afterAll(() => sender.close());

  it('should send again, once, on a new connection when a reused keep-alive connection was closed under it', async () => {
    const target = await endpoint([2]);
    try {
      const body = { url: target.url, headers: {}, body: '{}' };
      await expect(sender.send(body)).resolves.toMatchObject({ ok: true, statusCode: 204 });
      // The second request goes out on the kept-alive connection, which the endpoint drops.
      await expect(sender.send(body)).resolves.toMatchObject({ ok: true, statusCode: 204, error: null });
      expect(target.seen).toEqual([1, 2, 1]);
    } finally {
      await target.close();
    }
  });

  it('should report a connection reset on a new connection as a failed attempt, without sending again', async () => {
    const target = await endpoint([1]);
    try {
      const result = await sender.send({ url: target.url, headers: {}, body: '{}' });
      expect(result).toMatchObject({ ok: false, statusCode: null, error: expect.stringMatching(/ECONNRESET/) });
      expect(target.seen).toEqual([1]);
    } finally {
      await target.close();
    }
  });
});
