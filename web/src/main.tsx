import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { whenUnauthenticated } from './api/graphql';
import { currentSession, signOut, type Session } from './api/session';
import { Link } from './components/Link';
import { CampaignPage } from './pages/CampaignPage';
import { CampaignsPage } from './pages/CampaignsPage';
import { NewCampaignPage } from './pages/NewCampaignPage';
import { OptOutsPage } from './pages/OptOutsPage';
import { SignInPage } from './pages/SignInPage';
import { useRoute } from './router';
import './styles.css';

function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const route = useRoute();

  useEffect(() => {
    whenUnauthenticated(() => setSession(null));
    void currentSession().then(setSession);
  }, []);

  if (session === undefined) {
    return <p class="loading">Loading…</p>;
  }
  if (session === null) {
    return <SignInPage onSignedIn={setSession} />;
  }
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <nav aria-label="Main">
          <Link href="/" class="brand">
            Bulk SMS
          </Link>
          <Link href="/">Campaigns</Link>
          <Link href="/campaigns/new">New campaign</Link>
          <Link href="/opt-outs">Opt-outs</Link>
        </nav>
        <button
          type="button"
          onClick={() => {
            void signOut().finally(() => setSession(null));
          }}
        >
          Sign out
        </button>
      </header>
      {route.page === 'campaigns' && <CampaignsPage />}
      {route.page === 'new' && <NewCampaignPage />}
      {route.page === 'opt-outs' && <OptOutsPage />}
      {route.page === 'campaign' && <CampaignPage key={route.id} id={route.id} />}
      {route.page === 'not-found' && (
        <main id="main">
          <h1>Page not found</h1>
          <Link href="/">Campaigns</Link>
        </main>
      )}
    </>
  );
}

render(<App />, document.getElementById('app')!);
