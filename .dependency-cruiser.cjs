/**
 * The layering of src/ as checked rules (`npm run lint`). docs/architecture.md
 * draws the same picture.
 *
 * LAYERS lists the folders top down. A folder may import the folders of the
 * layers below its own, never those above, and never a sibling in its own
 * layer: http and ws share execution, not each other. main.ts and server.ts
 * sit above them all and compose.
 */
const LAYERS = [
  { folders: ['cli'], why: 'the CLI talks to a running gateway' },
  { folders: ['config'], why: 'configuration is parsed once at start-up and handed down as typed options' },
  { folders: ['http', 'ws'], why: 'the two transports share execution, not each other' },
  { folders: ['execution'], why: 'how a document runs, below the transports that hand it over' },
  { folders: ['observability'], why: 'observability watches the parts it is handed' },
  { folders: ['resolvers'], why: 'resolvers are called by execution; they never reach up to it' },
  { folders: ['caches'], why: 'caches hold provider answers for resolvers; they do not resolve' },
  { folders: ['schema', 'operations'], why: 'schema types describe the API; operations run long work on datasources' },
  { folders: ['datasources'], why: 'datasources never know GraphQL, transports or the work built on them' },
  { folders: ['security', 'images', 'cluster'], why: 'policies, image input and Redis channels serve the layers above' },
  { folders: ['store'], why: 'the store persists rows; it knows no provider, engine or GraphQL' },
  { folders: ['domain'], why: 'the shared vocabulary: records, DomainError, field rules, global ids' },
  { folders: ['engine'], why: 'the engine knows images and vectors, nothing of providers, storage or GraphQL' },
  { folders: ['lib'], why: 'generic helpers that know nothing of facegate' },
];

const folderPath = (folders) => `^src/(${folders.join('|')})/`;

/** One rule a folder: nothing from the layers above, nor from its siblings. */
const layerRules = LAYERS.flatMap((layer, i) =>
  layer.folders.map((folder) => {
    const above = LAYERS.slice(0, i).flatMap((l) => l.folders);
    const siblings = layer.folders.filter((f) => f !== folder);
    return {
      name: `${folder}-imports-downward`,
      comment: `${folder}/: ${layer.why}.`,
      severity: 'error',
      from: { path: folderPath([folder]) },
      to: { path: folderPath([...above, ...siblings]) },
    };
  }),
);

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
    ...layerRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^src/',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
