/** Opens the configured store: PostgreSQL when a URL is given (several replicas), else the embedded SQLite store. */
import { openPostgresStore } from './postgres/postgres-store.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './store.js';

/** Where the store lives. */
export interface StoreLocation {
  /** PostgreSQL URL. @default undefined: the embedded SQLite store in `dataDir` */
  databaseUrl?: string;
  /** PostgreSQL schema holding facegate's tables. */
  databaseSchema: string;
  /** Directory of the embedded store. */
  dataDir: string;
}

export async function openStore(location: StoreLocation): Promise<Store> {
  if (location.databaseUrl) return openPostgresStore(location.databaseUrl, { schema: location.databaseSchema });
  return openSqliteStore(location.dataDir);
}

/** Whether the store answers a read: what /readyz reports as `store`. */
export function isReachable(store: Store): Promise<boolean> {
  return store.listCollections('-', { after: null, limit: 1 }).then(
    () => true,
    () => false,
  );
}
