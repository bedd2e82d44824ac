import path from 'node:path';
import { z } from 'zod';
import { defineProvider } from '../definition.js';
import { LocalProvider } from './local-provider.js';

/**
 * `{ "name": "local", "kind": "local" }` — the built-in offline engine over the embedded store.
 *
 * Options: `annMinFaces`, the associated faces from which a collection is
 * searched by its approximate (HNSW) index (@default ANN_MIN_FACES, 100,000);
 * `saveIndexes`, whether approximate indexes are saved under the data
 * directory (`search-indexes/<name>/`) so a restart loads instead of
 * rebuilding (@default true).
 */
export const localDefinition = defineProvider({
  kind: 'local',
  options: z
    .object({
      annMinFaces: z.number().int().min(1).optional(),
      saveIndexes: z.boolean().optional(),
    })
    .strict(),
  create: (name, options, { store, engine, changes, dataDir, logger }) =>
    new LocalProvider({
      name,
      store,
      engine,
      changes,
      search: {
        annMinFaces: options.annMinFaces,
        dir: dataDir && options.saveIndexes !== false ? path.join(dataDir, 'search-indexes', name) : undefined,
        onReady: (event) => logger.info({ provider: name, ...event }, 'search index ready'),
      },
    }),
});
