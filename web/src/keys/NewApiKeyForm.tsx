import { useState } from 'preact/hooks';
import { CREATE_API_KEY } from '../api/documents';
import { gql } from '../api/graphql';
import { SCOPES, type ApiKey, type Scope } from '../api/types';
import { CheckboxGroup } from '../components/CheckboxGroup';
import { SCOPE_LABELS } from './scopes';

const SCOPE_OPTIONS = SCOPES.map((scope) => ({
  value: scope,
  label: (
    <span>
      <code>{SCOPE_LABELS[scope].name}</code> <span class="hint">{SCOPE_LABELS[scope].allows}</span>
    </span>
  ),
}));

export interface CreatedApiKey {
  key: string;
  apiKey: ApiKey;
}

/** A new key for the account: a name, its scopes (none preselected: each is a choice), an optional expiry. */
export function NewApiKeyForm({
  accountId,
  onCreated,
}: {
  accountId: string;
  onCreated: (created: CreatedApiKey) => void;
}) {
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Scope[]>([]);
  const [expiresAt, setExpiresAt] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function create(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { createApiKey } = await gql<{ createApiKey: CreatedApiKey }>(CREATE_API_KEY, {
        accountId,
        name: name.trim(),
        scopes,
        expiresAt: expiresAt ? new Date(expiresAt).toISOString() : null,
      });
      setName('');
      setScopes([]);
      setExpiresAt('');
      onCreated(createApiKey);
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : 'Creating the key failed');
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={(event) => void create(event)} aria-labelledby="new-key-title">
      <h3 id="new-key-title">New key</h3>
      <div class="row">
        <label>
          Key name (what it is for)
          <input value={name} maxLength={100} required onInput={(e) => setName(e.currentTarget.value)} name="keyName" />
        </label>
        <label>
          Expires (optional, your local time)
          <input
            type="datetime-local"
            value={expiresAt}
            onInput={(e) => setExpiresAt(e.currentTarget.value)}
            name="expiresAt"
          />
        </label>
      </div>
      <CheckboxGroup legend="Scopes" class="choices" options={SCOPE_OPTIONS} selected={scopes} onChange={setScopes} />
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      <button type="submit" class="primary" disabled={busy || scopes.length === 0 || !name.trim()}>
        Create key
      </button>
    </form>
  );
}
