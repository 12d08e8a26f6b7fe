import { useEffect } from 'preact/hooks';
import { sessionAccess, type SessionAccess } from './api/session-access';
import { signOut, type Session } from './api/session';
import { Link } from './components/Link';
import { ScopeRequired } from './components/ScopeRequired';
import { CampaignPage } from './pages/CampaignPage';
import { CampaignsPage } from './pages/CampaignsPage';
import { KeysPage } from './pages/KeysPage';
import { NewCampaignPage } from './pages/NewCampaignPage';
import { OptOutsPage } from './pages/OptOutsPage';
import { WebhooksPage } from './pages/WebhooksPage';
import { navigate, useRoute, type Route } from './router';

/** The pages campaigns:read opens, by name. */
const READ_PAGE_TITLES: Record<Exclude<Route['page'], 'keys' | 'not-found'>, string> = {
  campaigns: 'Campaigns',
  campaign: 'Campaign',
  new: 'New campaign',
  'opt-outs': 'Opt-outs',
  webhooks: 'Webhooks',
};

function RoutePage({ route, access }: { route: Route; access: SessionAccess }) {
  if (route.page === 'not-found') {
    return (
      <main id="main">
        <h1>Page not found</h1>
        <Link href="/">Campaigns</Link>
      </main>
    );
  }
  if (route.page === 'keys') {
    return access.admin ? (
      <KeysPage />
    ) : (
      <ScopeRequired title="Keys" scope="admin" what="Accounts and API keys">
        The admin key has it: <code>npm start</code> prints it and keeps it in <code>data/admin-api-key</code>, or it is
        the value of <code>ADMIN_API_KEY</code>.
      </ScopeRequired>
    );
  }
  if (!access.read) {
    return (
      <ScopeRequired
        title={READ_PAGE_TITLES[route.page]}
        scope="campaigns:read"
        what="Campaigns, opt-outs and webhooks"
      >
        An account's own keys have it; the admin key has only the admin scope{access.admin ? ' (see Keys)' : ''}.
      </ScopeRequired>
    );
  }
  switch (route.page) {
    case 'campaigns':
      return <CampaignsPage />;
    case 'new':
      return <NewCampaignPage />;
    case 'opt-outs':
      return <OptOutsPage />;
    case 'webhooks':
      return <WebhooksPage />;
    case 'campaign':
      return <CampaignPage key={route.id} id={route.id} />;
  }
}

/** The signed-in console: the navigation offers what the session's key may read, then the route's page. */
export function Console({ session, onSignedOut }: { session: Session; onSignedOut: () => void }) {
  const route = useRoute();
  const access = sessionAccess(session);

  // The admin key reads no campaigns: its home is the Keys page.
  const adminOnly = access.admin && !access.read;
  useEffect(() => {
    if (adminOnly && route.page === 'campaigns') {
      navigate('/keys', { replace: true });
    }
  }, [adminOnly, route.page]);

  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <nav aria-label="Main">
          <Link href={adminOnly ? '/keys' : '/'} class="brand">
            Bulk SMS
          </Link>
          {access.read && (
            <>
              <Link href="/">Campaigns</Link>
              <Link href="/campaigns/new">New campaign</Link>
              <Link href="/opt-outs">Opt-outs</Link>
              <Link href="/webhooks">Webhooks</Link>
            </>
          )}
          {access.admin && <Link href="/keys">Keys</Link>}
        </nav>
        <button
          type="button"
          onClick={() => {
            void signOut().finally(onSignedOut);
          }}
        >
          Sign out
        </button>
      </header>
      <RoutePage route={route} access={access} />
    </>
  );
}
