import { useEffect, useState } from 'preact/hooks';
import { API_KEYS, REVOKE_API_KEY } from '../api/documents';
import { gql } from '../api/graphql';
import type { Account, ApiKey } from '../api/types';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ShownOnceSecret } from '../components/ShownOnceSecret';
import { dateTime } from '../format';
import { NewApiKeyForm, type CreatedApiKey } from './NewApiKeyForm';
import { SCOPE_LABELS } from './scopes';
import { DataTable } from '../components/DataTable';

function keyState(key: ApiKey): string {
  if (key.revokedAt) {
    return `Revoked ${dateTime(key.revokedAt)}`;
  }
  return key.active ? 'Active' : 'Expired';
}

/** One account's keys, revoked and expired ones included: create one (its material shown once), revoke one. */
export function AccountKeys({ account }: { account: Account }) {
  const [keys, setKeys] = useState<ApiKey[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reload, setReload] = useState(0);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    let stopped = false;
    gql<{ apiKeys: ApiKey[] }>(API_KEYS, { accountId: account.id }).then(
      (data) => {
        if (!stopped) {
          setKeys(data.apiKeys);
          setError(null);
        }
      },
      (caught: unknown) => !stopped && setError(caught instanceof Error ? caught.message : 'Could not load the keys'),
    );
    return () => {
      stopped = true;
    };
  }, [account.id, reload]);

  async function revoke() {
    if (!revoking) {
      return;
    }
    setBusy(true);
    try {
      await gql(REVOKE_API_KEY, { id: revoking.id });
      setNotice(`Revoked "${revoking.name}": its requests are refused and its sessions closed.`);
      setRevoking(null);
      setReload((n) => n + 1);
    } catch (caught) {
      setNotice(caught instanceof Error ? caught.message : 'Revoking failed');
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="card" aria-labelledby="keys-title">
      <h2 id="keys-title">Keys of {account.name}</h2>
      {notice && (
        <p role="status" class="notice">
          {notice}
        </p>
      )}
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {created && (
        <ShownOnceSecret
          title={`New key "${created.apiKey.name}"`}
          value={created.key}
          onDismiss={() => setCreated(null)}
        >
          copy it now and send it as <code>x-api-key</code> (or sign in with it). The service keeps only its hash and
          cannot show it again.
        </ShownOnceSecret>
      )}
      {keys &&
        (keys.length === 0 ? (
          <p>No keys yet.</p>
        ) : (
          <DataTable
            class="api-keys"
            columns={['Name', 'Scopes', 'Created', 'Expires', 'State', { label: 'Actions', hidden: true }]}
          >
            {keys.map((key) => (
              <tr key={key.id}>
                <td>{key.name}</td>
                <td>{key.scopes.map((scope) => SCOPE_LABELS[scope].name).join(', ')}</td>
                <td>{dateTime(key.createdAt)}</td>
                <td>{key.expiresAt ? dateTime(key.expiresAt) : 'Never'}</td>
                <td>{keyState(key)}</td>
                <td>
                  {!key.revokedAt && (
                    <button
                      type="button"
                      class="danger"
                      aria-label={`Revoke ${key.name}`}
                      onClick={() => setRevoking(key)}
                    >
                      Revoke…
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </DataTable>
        ))}
      <NewApiKeyForm
        accountId={account.id}
        onCreated={(key) => {
          setCreated(key);
          setNotice(null);
          setReload((n) => n + 1);
        }}
      />
      <ConfirmDialog
        open={revoking !== null}
        title="Revoke this key?"
        confirmLabel="Revoke"
        danger
        busy={busy}
        onConfirm={() => void revoke()}
        onCancel={() => setRevoking(null)}
      >
        <p>
          "{revoking?.name}" stops working: its requests are refused, its console sessions end and its live updates
          close (at once on this instance of the service, within 30 s on others). This cannot be undone.
        </p>
      </ConfirmDialog>
    </section>
  );
}
