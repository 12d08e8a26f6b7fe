/*
 * Floor for delivery-report intake: a bare node:http server that reads the body, verifies the V3
 * signature with the service's own code (the same parsing and verifyPlivoV3 as PlivoSignatureGuard)
 * and answers 200, or 403 when the signature is wrong. No framework, no database: what the machine
 * can do for a signed webhook at all, measured with the same load generator and connections.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyPlivoV3 } from '../../src/common/plivo-signature/plivo-v3-signature';
import { signedBodyParams } from '../../src/delivery-reports/webhook-body';

export interface BareSignatureServer {
  baseUrl: string;
  close(): Promise<void>;
}

export async function startBareSignatureServer(publicBaseUrl: string, secret: string): Promise<BareSignatureServer> {
  const secrets = [secret];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const nonce = request.headers['x-plivo-signature-v3-nonce'];
      const signatureHeader = request.headers['x-plivo-signature-v3'];
      const valid =
        typeof nonce === 'string' &&
        typeof signatureHeader === 'string' &&
        verifyPlivoV3({
          method: 'POST',
          url: publicBaseUrl + (request.url ?? ''),
          nonce,
          signatureHeader,
          secrets,
          params: signedBodyParams(Buffer.concat(chunks), request.headers['content-type']),
        });
      response.writeHead(valid ? 200 : 403, { 'content-type': 'text/plain' }).end(valid ? 'OK' : 'Forbidden');
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
