import { useState } from 'preact/hooks';
import { ApiError } from '../api/graphql';
import { signIn, type Session } from '../api/session';

export function SignInPage({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const input = form.elements.namedItem('apiKey') as HTMLInputElement;
    setBusy(true);
    setError(null);
    try {
      const session = await signIn(input.value.trim());
      input.value = '';
      onSignedIn(session);
    } catch (caught) {
      setError(
        caught instanceof ApiError && caught.status === 401
          ? 'That API key is not valid (or was revoked).'
          : caught instanceof Error
            ? caught.message
            : 'Sign-in failed',
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="signin" id="main">
      <h1>Bulk SMS console</h1>
      <form onSubmit={(event) => void submit(event)} class="card">
        <label for="apiKey">API key</label>
        <input
          id="apiKey"
          name="apiKey"
          type="password"
          autoComplete="current-password"
          required
          aria-describedby="apiKey-help"
          aria-invalid={error ? 'true' : undefined}
        />
        <p id="apiKey-help" class="hint">
          The key printed when the service started (or API_KEY). It is exchanged for a session cookie and not
          stored in the browser.
        </p>
        {error && (
          <p role="alert" class="error">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
