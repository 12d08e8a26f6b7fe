import { CliContext } from './cli-context';

interface AccountsPage {
  accounts: { edges: Array<{ node: { id: string; name: string; createdAt: string } }>; pageInfo: PageInfo };
}

interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}

/** `accounts`: every account, one per line (id, name, created), all pages. */
export async function listAccountsCommand(context: CliContext): Promise<void> {
  let after: string | null = null;
  do {
    const page: AccountsPage = await context.api.request<AccountsPage>(
      'query($after: String) { accounts(first: 200, after: $after) { edges { node { id name createdAt } } pageInfo { hasNextPage endCursor } } }',
      { after },
    );
    for (const { node } of page.accounts.edges) {
      context.print(`${node.id}  ${node.name}  (created ${node.createdAt})`);
    }
    after = page.accounts.pageInfo.hasNextPage ? page.accounts.pageInfo.endCursor : null;
  } while (after);
}

/** `accounts create --name <name>`: prints the new account's id. */
export async function createAccountCommand(context: CliContext, name: string): Promise<void> {
  const data = await context.api.request<{ createAccount: { id: string; name: string } }>(
    'mutation($name: String!) { createAccount(name: $name) { id name } }',
    { name },
  );
  context.print(`Account ${data.createAccount.id} created (${data.createAccount.name})`);
  context.print(
    `Give it a key: npm run cli -- keys create --account ${data.createAccount.id} --name <name> --scopes campaigns:read,campaigns:write`,
  );
}
