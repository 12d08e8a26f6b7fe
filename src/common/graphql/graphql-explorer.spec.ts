import express from 'express';
import request from 'supertest';
import { graphqlExplorer } from './graphql-explorer';

describe(graphqlExplorer.name, () => {
  const app = express();
  app.use(graphqlExplorer());
  app.use((_req, res) => res.status(418).send('passed on'));
  const browser = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

  it('should answer a browser opening /graphql with GraphiQL from our own assets', async () => {
    const page = await request(app).get('/graphql').set('Accept', browser);
    expect(page.status).toBe(200);
    expect(page.type).toBe('text/html');
    const sources = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]);
    expect(sources).toEqual([
      '/graphql-explorer/graphiql.css',
      '/graphql-explorer/react.js',
      '/graphql-explorer/react-dom.js',
      '/graphql-explorer/graphiql.js',
      '/graphql-explorer/start.js',
    ]);
    for (const source of sources) {
      const asset = await request(app).get(source);
      expect([source, asset.status]).toEqual([source, 200]);
      expect(asset.type).toMatch(/^text\/(javascript|css)$/);
    }
    const start = await request(app).get('/graphql-explorer/start.js');
    expect(start.text).toContain("'x-api-key'");
    // The key stays in the tab: in localStorage it stayed on the console's origin.
    expect(start.text).toContain('shouldPersistHeaders: false');
    expect(start.text).toContain('storage: window.sessionStorage');
  });

  it("should serve the page and its assets with the console's protections: this origin only, no framing", async () => {
    for (const path of ['/graphql', '/graphql-explorer/graphiql.js', '/graphql-explorer/start.js']) {
      const response = await request(app).get(path).set('Accept', browser);
      const csp = response.headers['content-security-policy'];
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("connect-src 'self';");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toMatch(/'unsafe-eval'|\bws:|\bwss:/);
      expect(response.headers).toMatchObject({
        'x-frame-options': 'DENY',
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
      });
    }
  });

  it('should pass on API calls, GraphQL GET queries, upgrades and unknown assets', async () => {
    expect((await request(app).get('/graphql').set('Accept', 'application/json')).status).toBe(418);
    expect((await request(app).get('/graphql').set('Accept', '*/*')).status).toBe(418);
    expect((await request(app).get('/graphql?query={__typename}').set('Accept', browser)).status).toBe(418);
    expect((await request(app).post('/graphql').set('Accept', browser).send({})).status).toBe(418);
    expect((await request(app).get('/graphql-explorer/../../package.json')).status).toBe(418);
    expect((await request(app).get('/graphql-explorer/secret.js')).status).toBe(418);
  });
});
