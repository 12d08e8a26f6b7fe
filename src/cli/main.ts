import { existsSync, readFileSync } from 'node:fs';
import { AdminCommand, parseCli, ParsedCli, USAGE, UsageError } from './cli-args';
import { createAccountCommand, listAccountsCommand } from './commands/accounts.command';
import { campaignActionCommand } from './commands/campaign-action.command';
import { createKeyCommand, listKeysCommand, revokeKeyCommand } from './commands/keys.command';
import { CliContext } from './commands/cli-context';
import { exportCommand } from './commands/export.command';
import { quoteCommand } from './commands/quote.command';
import { sendCommand } from './commands/send.command';
import { statusCommand } from './commands/status.command';
import { suppressionsCommand } from './commands/suppressions.command';
import { uploadCampaign, uploadRecipientList } from './recipient-list-upload';
import { GraphqlApiClient, GraphqlApiError } from './graphql-api.client';

/** `npm run cli -- <command>`: a client of the service's GraphQL API, nothing else. */
async function main(argv: string[]): Promise<number> {
  let parsed: ParsedCli;
  try {
    parsed = parseCli(argv, {
      env: process.env,
      readKeyFile: (path) => (existsSync(path) ? readFileSync(path, 'utf8') : undefined),
    });
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`error: ${error.message}\n\n${USAGE}\n`);
      return 1;
    }
    throw error;
  }
  const { command, connection } = parsed;
  if (command.name === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (!connection.apiKey) {
    const variable = connection.lookedAt[1]?.replace(/^\$/, '') ?? 'BULK_SMS_API_KEY';
    process.stderr.write(
      `error: no API key: pass --key, set ${variable}, or point --data-dir at the DATA_DIR the server runs with ` +
        `(looked at ${connection.lookedAt.join(', ')})\n`,
    );
    return 1;
  }
  const api = new GraphqlApiClient(connection.url, connection.apiKey);
  const context: CliContext = {
    api,
    print: (line) => process.stdout.write(`${line}\n`),
    progressOutput: process.stderr,
    readTextFile: (path) => readInputFile(path),
    uploadRecipientList: (path, options) =>
      uploadRecipientList(connection.url, connection.apiKey!, path, options, process.stderr),
    uploadCampaign: (path, fields) => uploadCampaign(connection.url, connection.apiKey!, path, fields, process.stderr),
  };
  process.once('SIGINT', () => {
    process.stderr.write('\nStopped watching; the campaign goes on.\n');
    process.exit(130);
  });
  try {
    switch (command.name) {
      case 'send':
        await sendCommand(context, command.options);
        break;
      case 'quote':
        await quoteCommand(context, command.options);
        break;
      case 'status':
        await statusCommand(context, command.campaignId, command.watch);
        break;
      case 'export':
        await exportCommand(context, command.options);
        break;
      case 'pause':
      case 'resume':
      case 'cancel':
        await campaignActionCommand(context, command.name, command.campaignId, command.ignoreBrake ?? false);
        break;
      case 'suppressions':
        return await suppressionsCommand(context, command.options);
      case 'accounts':
      case 'keys':
        await adminCommand(context, command);
        break;
    }
    return 0;
  } catch (error) {
    if (error instanceof GraphqlApiError) {
      const where =
        error.code === 'UNAUTHENTICATED'
          ? ` [key from ${connection.keySource}]\nlooked for the key at: ${connection.lookedAt.join(', ')}`
          : '';
      process.stderr.write(`error: ${error.describe()}${where}\n`);
      return 1;
    }
    if (error instanceof InputFileError) {
      process.stderr.write(`error: ${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    await api.close();
  }
}

function adminCommand(context: CliContext, command: AdminCommand): Promise<void> {
  if (command.name === 'accounts') {
    return command.action === 'create'
      ? createAccountCommand(context, command.accountName)
      : listAccountsCommand(context);
  }
  switch (command.action) {
    case 'list':
      return listKeysCommand(context, command.accountId);
    case 'create':
      return createKeyCommand(context, command);
    case 'revoke':
      return revokeKeyCommand(context, command.keyId);
  }
}

class InputFileError extends Error {}

function readInputFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new InputFileError(`cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
