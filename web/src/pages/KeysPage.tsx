import { useEffect, useState } from 'preact/hooks';
import { ACCOUNTS, CREATE_ACCOUNT } from '../api/documents';
import { gql } from '../api/graphql';
import type { Account, Connection } from '../api/types';
import { Pager, useCursorPages } from '../components/Pager';
import { dateTime } from '../format';
import { AccountKeys } from '../keys/AccountKeys';
import { DataTable } from '../components/DataTable';

const PAGE_SIZE = 20;

/** Accounts (oldest first, as the server lists them) and, for the one picked, its API keys. Needs the admin scope. */
export function KeysPage() {
  const pages = useCursorPages();
  const [accounts, setAccounts] = useState<Connection<Account> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reload, setReload] = useState(0);
  const [selected, setSelected] = useState<Account | null>(null);
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [createError, setCreateError] = useState<string | null>(null);

  useEffect(() => {
    let stopped = false;
    gql<{ accounts: Connection<Account> }>(ACCOUNTS, { first: PAGE_SIZE, after: pages.after }).then(
      (data) => {
        if (!stopped) {
          setAccounts(data.accounts);
          setError(null);
        }
      },
      (caught: unknown) =>
        !stopped && setError(caught instanceof Error ? caught.message : 'Could not load the accounts'),
    );
    return () => {
      stopped = true;
    };
  }, [pages.after, reload]);

  async function createAccount(event: Event) {
    event.preventDefault();
    setBusy(true);
    setCreateError(null);
    try {
      const { createAccount: account } = await gql<{ createAccount: Account }>(CREATE_ACCOUNT, { name: name.trim() });
      setName('');
      // The newest account is on the last page (oldest first): open it at once, it needs a key next.
      setSelected(account);
      setReload((n) => n + 1);
    } catch (caught) {
      setCreateError(caught instanceof Error ? caught.message : 'Creating the account failed');
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main">
      <h1>Keys</h1>
      <p class="hint">
        Accounts and their API keys. A key acts only on its own account and only with its scopes; its material is shown
        once, when it is created. See docs/security.md.
      </p>

      <section class="card" aria-labelledby="accounts-title">
        <h2 id="accounts-title">Accounts</h2>
        {error && (
          <p role="alert" class="error">
            {error}
          </p>
        )}
        {accounts && (
          <>
            <DataTable class="accounts" columns={['Name', 'Id', 'Created', { label: 'Actions', hidden: true }]}>
              {accounts.edges.map(({ node }) => (
                <tr key={node.id} class={node.id === selected?.id ? 'selected' : ''}>
                  <td>{node.name}</td>
                  <td class="mono">{node.id}</td>
                  <td>{dateTime(node.createdAt)}</td>
                  <td>
                    <button
                      type="button"
                      aria-pressed={node.id === selected?.id}
                      aria-label={`Keys of ${node.name}`}
                      onClick={() => setSelected(node)}
                    >
                      Keys
                    </button>
                  </td>
                </tr>
              ))}
            </DataTable>
            <p class="hint">Page {pages.number}, oldest accounts first.</p>
            <Pager pages={pages} pageInfo={accounts.pageInfo} label="Pages of accounts" />
          </>
        )}
        <form onSubmit={(event) => void createAccount(event)} class="inline-form">
          <label>
            New account name
            <input
              value={name}
              maxLength={100}
              required
              onInput={(e) => setName(e.currentTarget.value)}
              name="accountName"
            />
          </label>
          <button type="submit" disabled={busy || !name.trim()}>
            Create account
          </button>
        </form>
        {createError && (
          <p role="alert" class="error">
            {createError}
          </p>
        )}
      </section>

      {selected ? (
        <AccountKeys key={selected.id} account={selected} />
      ) : (
        <p class="hint">Pick an account to see and manage its keys.</p>
      )}
    </main>
  );
}
