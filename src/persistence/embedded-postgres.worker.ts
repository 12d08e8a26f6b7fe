import { parentPort, workerData } from 'node:worker_threads';
import { EmbeddedServerOptions, serveEmbedded } from './embedded-postgres-server';

/** Messages from the embedded database's worker thread to the thread that started it. */
export type EmbeddedWorkerMessage = { type: 'ready' } | { type: 'failed'; message: string } | { type: 'stopped' };

/** The embedded database's thread: serves PGlite until it is told to stop (see EmbeddedPostgres). */
async function run(): Promise<void> {
  const port = parentPort!;
  const post = (message: EmbeddedWorkerMessage): void => port.postMessage(message);
  let server;
  try {
    server = await serveEmbedded(workerData as EmbeddedServerOptions);
  } catch (error) {
    post({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    port.close();
    return;
  }
  post({ type: 'ready' });
  port.once('message', () => {
    void server.stop().then(
      () => {
        post({ type: 'stopped' });
        port.close();
      },
      (error: unknown) => {
        post({ type: 'failed', message: String(error) });
        port.close();
      },
    );
  });
}

void run();
