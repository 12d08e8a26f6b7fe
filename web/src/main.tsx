import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Console } from './Console';
import { whenUnauthenticated } from './api/graphql';
import { currentSession, type Session } from './api/session';
import { SignInPage } from './pages/SignInPage';
import './styles.css';

function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);

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
  return <Console session={session} onSignedOut={() => setSession(null)} />;
}

render(<App />, document.getElementById('app')!);
