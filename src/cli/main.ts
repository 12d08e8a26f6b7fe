import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
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

/**
 * A file the user names (--file, --out, suppressions import) is where they typed the command: `npm run`
 * starts the script in the package's root and says where it was called from in INIT_CWD. The server's
 * DATA_DIR stays relative to the root, where `npm start` runs it.
 */
function fromUserDirectory(file: string): string {
  return path.resolve(process.env.INIT_CWD || process.cwd(), file);
}

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
    readTextFile: (file) => readInputFile(fromUserDirectory(file)),
    uploadRecipientList: (file, options) =>
      uploadRecipientList(connection.url, connection.apiKey!, readableFile(file), options, process.stderr),
    uploadCampaign: (file, fields) =>
      uploadCampaign(connection.url, connection.apiKey!, readableFile(file), fields, process.stderr),
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
        await exportCommand(context, {
          ...command.options,
          ...(command.options.out !== undefined && { out: fromUserDirectory(command.options.out) }),
        });
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

/** The user's file, resolved; an InputFileError (not a stack trace) when it cannot be read. */
function readableFile(file: string): string {
  const resolved = fromUserDirectory(file);
  try {
    accessSync(resolved, constants.R_OK);
  } catch (error) {
    throw new InputFileError(`cannot read ${resolved} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  return resolved;
}

function readInputFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new InputFileError(`cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
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
