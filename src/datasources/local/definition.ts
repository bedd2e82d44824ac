import { z } from 'zod';
import { defineProvider } from '../definition.js';
import { LocalProvider } from './local-provider.js';

/** `{ "name": "local", "kind": "local" }` — the built-in offline engine over the embedded store. */
export const localDefinition = defineProvider({
  kind: 'local',
  options: z.object({}).strict(),
  create: (name, _options, { store, engine, changes }) => new LocalProvider({ name, store, engine, changes }),
});
