import { PlivoSandbox } from './sandbox';
import { parseSandboxOptions } from './sandbox.options';

/** `npm run sandbox`: a standalone Plivo sandbox configured by SANDBOX_* variables (docs/sandbox.md). */
async function main(): Promise<void> {
  const { options, errors } = parseSandboxOptions(process.env);
  if (!options) {
    console.error(`Invalid sandbox configuration:\n${errors.map((e) => `  - ${e}`).join('\n')}`);
    process.exit(1);
  }
  const sandbox = await new PlivoSandbox(options).start();
  console.log(
    [
      `Plivo sandbox listening on ${sandbox.url}`,
      `  auth id:    ${sandbox.authId}`,
      `  auth token: ${sandbox.authToken}`,
      `  control:    ${sandbox.url}/__sandbox/stats`,
      '',
      'Point the service at it with:',
      `  PLIVO_API_URL=${sandbox.apiUrl}`,
      `  PLIVO_AUTH_ID=${sandbox.authId}`,
      `  PLIVO_AUTH_TOKEN=${sandbox.authToken}`,
      `  PLIVO_SENDER_ID=+14155550100`,
      sandbox.webhookSecret === sandbox.authToken ? '' : `  PLIVO_WEBHOOK_SECRET=${sandbox.webhookSecret}`,
    ]
      .filter((line, i, all) => line !== '' || i < all.length - 1)
      .join('\n'),
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      return;
    }
    stopping = true;
    console.log(`${signal}: stopping the sandbox`);
    sandbox.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

void main();
