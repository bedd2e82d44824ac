/**
 * The layering of src/ as checked rules (`npm run lint`). Layers, top down:
 *
 *   main, server, cli          entry points and the composition root
 *   http, ws                   transports
 *   execution                  how a document runs (Apollo, graphql-jit, the fast path)
 *   resolvers, caches          thin resolvers and the named caches they read
 *   schema                     type-graphql types: imports domain only
 *   operations                 long-running work (snapshots, trainings)
 *   datasources                the FaceProvider contract and its adapters
 *   security, images, cluster  auth and limits; image input; Redis channels
 *   engine, store              the local face engine; durable storage
 *   domain, lib                shared records and rules; generic helpers
 *
 * observability and config sit beside the top layers: they are handed the
 * parts they watch or configure, and nothing below imports them.
 * docs/architecture.md draws the same picture.
 */
const layer = (name) => `^src/${name}/`;
const below = (...names) => ({ path: `^src/(${names.join('|')})/` });

/** Everything `from` may not import: the layers above it, listed by name. */
const forbid = (name, comment, ...above) => ({
  name: `${name}-imports-downward`,
  comment,
  severity: 'error',
  from: { path: layer(name) },
  to: below(...above),
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A cycle makes two modules one; split out what both need.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-entry-points',
      comment: 'main.ts, server.ts and the CLI compose the rest; nothing imports them back.',
      severity: 'error',
      from: { pathNot: '^src/(main|cli/)' },
      to: { path: '^src/(main|server)\\.ts$' },
    },
    forbid('lib', 'lib/ holds generic helpers that know nothing of facegate.', 'config', 'domain', 'http', 'ws', 'execution', 'resolvers', 'caches', 'schema', 'operations', 'datasources', 'security', 'images', 'cluster', 'engine', 'store', 'observability', 'cli'),
    forbid('domain', 'domain/ is the shared vocabulary: records, DomainError, field rules, global ids.', 'config', 'http', 'ws', 'execution', 'resolvers', 'caches', 'schema', 'operations', 'datasources', 'security', 'images', 'cluster', 'store', 'observability', 'cli'),
    forbid('engine', 'The engine knows images and vectors, nothing of providers, storage or GraphQL.', 'config', 'http', 'ws', 'execution', 'resolvers', 'caches', 'schema', 'operations', 'datasources', 'security', 'images', 'cluster', 'store', 'observability', 'cli'),
    forbid('store', 'The store persists rows; it knows no provider, engine or GraphQL.', 'config', 'http', 'ws', 'execution', 'resolvers', 'caches', 'schema', 'operations', 'datasources', 'security', 'images', 'cluster', 'engine', 'observability', 'cli'),
    forbid('images', 'Image input is fetched and decoded below every caller.', 'config', 'http', 'ws', 'execution', 'resolvers', 'caches', 'schema', 'operations', 'datasources', 'security', 'cluster', 'store', 'engine', 'observability', 'cli'),
    forbid('security', 'Auth, grants and limits are policies, handed to the transports.', 'config', 'http', 'ws', 'execution', 'resolvers', 'caches', 'schema', 'operations', 'datasources', 'cluster', 'store', 'engine', 'observability', 'cli'),
    forbid('cluster', 'Redis channels carry bytes for the layers above.', 'config', 'http', 'ws', 'execution', 'resolvers', 'caches', 'schema', 'operations', 'datasources', 'security', 'store', 'engine', 'observability', 'cli'),
    forbid('datasources', 'Datasources never know GraphQL, transports or the work built on them.', 'config', 'http', 'ws', 'execution', 'resolvers', 'caches', 'schema', 'operations', 'observability', 'cli'),
    forbid('operations', 'Operations run on datasources and the store, never on GraphQL.', 'config', 'http', 'ws', 'execution', 'resolvers', 'caches', 'schema', 'observability', 'cli'),
    forbid('schema', 'Schema types describe the API: they import domain records only.', 'config', 'http', 'ws', 'execution', 'resolvers', 'caches', 'operations', 'datasources', 'security', 'images', 'cluster', 'store', 'engine', 'observability', 'cli'),
    forbid('caches', 'Caches hold provider answers for resolvers; they do not resolve.', 'config', 'http', 'ws', 'execution', 'resolvers', 'observability', 'cli'),
    forbid('resolvers', 'Resolvers are called by execution; they never reach up to it or to a transport.', 'config', 'http', 'ws', 'execution', 'observability', 'cli'),
    forbid('execution', 'How a document runs, below the transports that hand it over.', 'config', 'http', 'ws', 'cli'),
    forbid('observability', 'Observability watches the parts it is handed; transports call it, not the reverse.', 'config', 'http', 'ws', 'cli'),
    forbid('http', 'The two transports share execution, not each other.', 'ws', 'cli'),
    forbid('ws', 'The two transports share execution, not each other.', 'http', 'cli'),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^src/',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
