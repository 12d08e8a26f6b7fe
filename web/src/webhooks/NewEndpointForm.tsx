import { useState } from 'preact/hooks';
import { CREATE_WEBHOOK_ENDPOINT } from '../api/documents';
import { gql } from '../api/graphql';
import { isForbidden } from '../api/session-access';
import type { WebhookEndpoint } from '../api/types';
import { CheckboxGroup } from '../components/CheckboxGroup';
import { WEBHOOK_EVENTS } from './webhook-events';

const EVENT_OPTIONS = WEBHOOK_EVENTS.map(({ type, when }) => ({
  value: type,
  label: (
    <span>
      <code>{type}</code> <span class="hint">{when}</span>
    </span>
  ),
}));

export interface CreatedWebhookEndpoint {
  endpoint: WebhookEndpoint;
  secret: string;
}

/** A URL and the events it receives; the server answers with the signing secret, once. */
export function NewEndpointForm(props: {
  onCreated: (created: CreatedWebhookEndpoint) => void;
  onForbidden: () => void;
}) {
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function create(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { createWebhookEndpoint } = await gql<{ createWebhookEndpoint: CreatedWebhookEndpoint }>(
        CREATE_WEBHOOK_ENDPOINT,
        { url: url.trim(), events },
      );
      setUrl('');
      setEvents([]);
      props.onCreated(createWebhookEndpoint);
    } catch (caught) {
      if (isForbidden(caught)) {
        props.onForbidden();
      }
      setError(caught instanceof Error ? caught.message : 'Creating the endpoint failed');
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={(event) => void create(event)}>
      <label>
        URL (http or https; the events are POSTed to it)
        <input
          type="url"
          value={url}
          required
          placeholder="https://example.com/sms-events"
          onInput={(e) => setUrl(e.currentTarget.value)}
          name="url"
        />
      </label>
      <CheckboxGroup legend="Events" class="choices" options={EVENT_OPTIONS} selected={events} onChange={setEvents} />
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      <button type="submit" class="primary" disabled={busy || events.length === 0 || !url.trim()}>
        Create endpoint
      </button>
    </form>
  );
}
