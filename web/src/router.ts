import { useEffect, useState } from 'preact/hooks';

/**
 * History-API routing for seven pages. Written here (about 40 lines) rather than adding a router
 * package: the server answers index.html for every console path, and we need no nesting,
 * loaders or lazy routes.
 */
export type Route =
  | { page: 'campaigns' }
  | { page: 'campaign'; id: string }
  | { page: 'new' }
  | { page: 'opt-outs' }
  | { page: 'webhooks' }
  | { page: 'keys' }
  | { page: 'not-found' };

export function parseRoute(pathname: string): Route {
  if (pathname === '/' || pathname === '/campaigns') {
    return { page: 'campaigns' };
  }
  if (pathname === '/campaigns/new') {
    return { page: 'new' };
  }
  if (pathname === '/opt-outs') {
    return { page: 'opt-outs' };
  }
  if (pathname === '/webhooks') {
    return { page: 'webhooks' };
  }
  if (pathname === '/keys') {
    return { page: 'keys' };
  }
  const match = /^\/campaigns\/([0-9a-f-]{36})$/i.exec(pathname);
  return match ? { page: 'campaign', id: match[1] } : { page: 'not-found' };
}

/** `replace`: instead of the current history entry (a redirect the back button should skip). */
export function navigate(path: string, { replace = false } = {}): void {
  if (replace) {
    history.replaceState(null, '', path);
  } else {
    history.pushState(null, '', path);
  }
  dispatchEvent(new PopStateEvent('popstate'));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.pathname));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.pathname));
    addEventListener('popstate', update);
    return () => removeEventListener('popstate', update);
  }, []);
  return route;
}

/** Same-app links: left clicks navigate without a reload; others (new tab) keep the browser's behaviour. */
export function onLinkClick(event: MouseEvent): void {
  const anchor = (event.currentTarget as HTMLAnchorElement | null) ?? undefined;
  if (!anchor || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
    return;
  }
  event.preventDefault();
  navigate(anchor.getAttribute('href') ?? '/');
}
