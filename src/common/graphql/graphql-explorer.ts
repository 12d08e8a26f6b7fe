import type { NextFunction, Request, Response } from 'express';
import path from 'node:path';
import { GRAPHQL_PATH } from './graphql-request-gate';

export const EXPLORER_ASSETS_PATH = '/graphql-explorer';

// Served from node_modules (graphiql 3's UMD build and React 18's, its peer): no CDN, nothing inline.
// The packages' "exports" do not list these files, so they are found beside each package.json.
const ASSETS: Record<string, { packageName: string; file: string; type: string }> = {
  'react.js': { packageName: 'react', file: 'umd/react.production.min.js', type: 'text/javascript' },
  'react-dom.js': { packageName: 'react-dom', file: 'umd/react-dom.production.min.js', type: 'text/javascript' },
  'graphiql.js': { packageName: 'graphiql', file: 'graphiql.min.js', type: 'text/javascript' },
  'graphiql.css': { packageName: 'graphiql', file: 'graphiql.min.css', type: 'text/css' },
};

// Starts GraphiQL with an x-api-key header to fill in. Its tabs and history (which keeps each query's
// headers whatever shouldPersistHeaders says) live in this tab's sessionStorage: in localStorage the key
// stayed on the console's origin after the tab closed, for any script of that origin to read.
const START_SCRIPT = `(function () {
  var fetcher = GraphiQL.createFetcher({ url: ${JSON.stringify(GRAPHQL_PATH)} });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultHeaders: JSON.stringify({ 'x-api-key': 'paste the key the service printed' }, null, 2),
    shouldPersistHeaders: false,
    storage: window.sessionStorage,
    defaultEditorToolsVisibility: 'headers',
  }));
})();
`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Bulk SMS GraphQL explorer</title>
  <style>body { margin: 0; } #graphiql { height: 100vh; }</style>
  <link rel="stylesheet" href="${EXPLORER_ASSETS_PATH}/graphiql.css">
</head>
<body>
  <div id="graphiql">Loading the GraphQL explorer…</div>
  <script src="${EXPLORER_ASSETS_PATH}/react.js"></script>
  <script src="${EXPLORER_ASSETS_PATH}/react-dom.js"></script>
  <script src="${EXPLORER_ASSETS_PATH}/graphiql.js"></script>
  <script src="${EXPLORER_ASSETS_PATH}/start.js"></script>
</body>
</html>
`;

// As the console's (src/console/console-static.options.ts): this origin only, no framing. GraphiQL
// styles its editors inline and draws icons from data: URIs.
const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'self'; connect-src 'self'; img-src 'self' data:; font-src 'self' data:; " +
    "style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
};

/**
 * GraphiQL for people trying the API from a browser: `GET /graphql` asking for HTML gets the page
 * (every other /graphql request goes on to the API-key gate and Apollo, as before), and its assets
 * come from /graphql-explorer/. The page sends the key as the x-api-key header, like any client;
 * the page and its assets are static and need no key. Mounted only when GRAPHQL_EXPLORER is on.
 */
export function graphqlExplorer() {
  const files = Object.fromEntries(
    Object.entries(ASSETS).map(([name, asset]) => [
      name,
      {
        type: asset.type,
        file: path.join(path.dirname(require.resolve(`${asset.packageName}/package.json`)), asset.file),
      },
    ]),
  );
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      next();
      return;
    }
    if (req.path.toLowerCase() === GRAPHQL_PATH && wantsHtml(req)) {
      setSecurityHeaders(res);
      res.type('html').setHeader('Cache-Control', 'no-store');
      res.send(PAGE);
      return;
    }
    if (!req.path.startsWith(`${EXPLORER_ASSETS_PATH}/`)) {
      next();
      return;
    }
    const name = req.path.slice(EXPLORER_ASSETS_PATH.length + 1);
    setSecurityHeaders(res);
    if (name === 'start.js') {
      res.type('text/javascript').send(START_SCRIPT);
      return;
    }
    const asset = files[name];
    if (!asset) {
      next();
      return;
    }
    res.type(asset.type).setHeader('Cache-Control', 'public, max-age=3600');
    res.sendFile(asset.file);
  };
}

function setSecurityHeaders(res: Response): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
    res.setHeader(name, value);
  }
}

/** A browser navigating to the URL, not a GraphQL GET query or a graphql-ws upgrade. */
function wantsHtml(req: Request): boolean {
  return (
    !req.headers.upgrade &&
    req.accepts(['application/json', 'application/graphql-response+json', 'text/html']) === 'text/html' &&
    req.query.query === undefined
  );
}
