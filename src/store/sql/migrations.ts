/**
 * Schema migrations of the store, applied in order at open and recorded in
 * `schema_version`; applying them again is a no-op. Append new migrations,
 * never edit a released one. One list for both backends: the SQLite store
 * runs `statements`, the PostgreSQL store runs {@link postgresStatements}.
 *
 * The DDL sticks to portable SQL. The SQLite-specific parts a PostgreSQL
 * port changes are the column types only: `INTEGER PRIMARY KEY AUTOINCREMENT`
 * → `BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY`, `INTEGER` → `BIGINT`,
 * `REAL` → `DOUBLE PRECISION`, `BLOB` → `BYTEA` — which is exactly what
 * {@link toPostgresDdl} does, on the upper-case type keywords only (write
 * types in upper case, names in lower case). AUTOINCREMENT is used because
 * sequences must never be reused: they are pagination keys and surrogate
 * keys of deleted rows may still sit in caches; PostgreSQL identity
 * sequences never reuse values either.
 *
 * A migration that needs more than a type mapping (a data migration using
 * SQLite functions, an ALTER SQLite cannot express) gives its PostgreSQL
 * statements explicitly in `postgres`.
 *
 * Times are epoch milliseconds. JSON lives in TEXT columns and is only
 * read back whole (never queried inside), so it ports unchanged.
 */

export interface Migration {
  version: number;
  description: string;
  /** SQLite DDL; also the source of the PostgreSQL DDL unless `postgres` is given. */
  statements: readonly string[];
  /** PostgreSQL statements, when the type mapping of {@link toPostgresDdl} does not suffice. */
  postgres?: readonly string[];
}

/**
 * The SQLite → PostgreSQL type mapping of the header comment, applied to
 * one DDL statement. Only whole upper-case keywords are mapped, so column
 * names and string literals in lower case are left alone.
 */
export function toPostgresDdl(statement: string): string {
  return statement
    .replace(/\bINTEGER PRIMARY KEY AUTOINCREMENT\b/g, 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY')
    .replace(/\bINTEGER\b/g, 'BIGINT')
    .replace(/\bREAL\b/g, 'DOUBLE PRECISION')
    .replace(/\bBLOB\b/g, 'BYTEA');
}

/** What the PostgreSQL store runs for `migration`. */
export function postgresStatements(migration: Migration): readonly string[] {
  return migration.postgres ?? migration.statements.map(toPostgresDdl);
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'collections, users, faces, retained images, idempotency records',
    statements: [
      `CREATE TABLE collections (
        key INTEGER PRIMARY KEY AUTOINCREMENT,
        provider TEXT NOT NULL,
        collection_id TEXT NOT NULL,
        face_model_version TEXT,
        created_at INTEGER NOT NULL,
        face_count INTEGER NOT NULL DEFAULT 0,
        user_count INTEGER NOT NULL DEFAULT 0,
        CONSTRAINT collections_provider_collection UNIQUE (provider, collection_id)
      )`,
      `CREATE INDEX collections_by_provider ON collections (provider, key)`,

      `CREATE TABLE users (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        collection_key INTEGER NOT NULL REFERENCES collections (key),
        user_id TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('CREATED', 'ACTIVE')),
        created_at INTEGER NOT NULL,
        CONSTRAINT users_collection_user UNIQUE (collection_key, user_id)
      )`,
      `CREATE INDEX users_by_collection ON users (collection_key, seq)`,

      // Content-addressed: identical bytes indexed twice are kept once.
      `CREATE TABLE images (
        sha256 TEXT PRIMARY KEY,
        bytes BLOB NOT NULL,
        created_at INTEGER NOT NULL
      )`,

      `CREATE TABLE faces (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        face_id TEXT NOT NULL,
        collection_key INTEGER NOT NULL REFERENCES collections (key),
        user_seq INTEGER REFERENCES users (seq),
        external_image_id TEXT,
        bbox_left REAL NOT NULL,
        bbox_top REAL NOT NULL,
        bbox_width REAL NOT NULL,
        bbox_height REAL NOT NULL,
        confidence REAL NOT NULL,
        descriptor BLOB NOT NULL,
        image_sha256 TEXT REFERENCES images (sha256),
        indexed_at INTEGER NOT NULL,
        CONSTRAINT faces_collection_face UNIQUE (collection_key, face_id)
      )`,
      `CREATE INDEX faces_by_collection ON faces (collection_key, seq)`,
      // Faces of a user; also what the users → faces foreign key check uses.
      `CREATE INDEX faces_by_user ON faces (user_seq, seq)`,
      `CREATE INDEX faces_unassociated ON faces (collection_key, seq) WHERE user_seq IS NULL`,
      // Duplicate-image detection and "is this image still referenced?".
      `CREATE INDEX faces_by_image ON faces (image_sha256, collection_key)`,

      `CREATE TABLE idempotency (
        collection_key INTEGER NOT NULL REFERENCES collections (key),
        operation TEXT NOT NULL,
        client_request_token TEXT NOT NULL,
        request_hash TEXT NOT NULL,
        response TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (collection_key, operation, client_request_token)
      )`,
      `CREATE INDEX idempotency_by_age ON idempotency (created_at)`,
    ],
  },
  {
    version: 2,
    description: 'snapshots with their own copy of users, faces and images; long-running operations',
    statements: [
      // `id` is the public key (what callers and child rows use); `seq` is
      // the keyset order of listings. SQLite only autoincrements an INTEGER
      // PRIMARY KEY, so `seq` is the primary key and `id` a UNIQUE key —
      // physically what SQLite builds for a TEXT primary key anyway, but
      // with sequences that are never reused.
      `CREATE TABLE snapshots (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL,
        owner TEXT NOT NULL,
        source_provider TEXT NOT NULL,
        source_collection_id TEXT NOT NULL,
        apply_scope TEXT NOT NULL,
        user_data TEXT,
        state TEXT NOT NULL CHECK (state IN ('TAKING', 'READY', 'FAILED')),
        user_count INTEGER NOT NULL,
        face_count INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        last_updated_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        CONSTRAINT snapshots_id UNIQUE (id)
      )`,

      // Who may see a snapshot: its owner and every tenant of its apply
      // scope (kept as a JSON array in snapshots.apply_scope, which is what
      // reads return). One row per tenant, so listing a tenant's snapshots is
      // one range scan of the primary key in creation order instead of a scan
      // of all snapshots parsing JSON.
      `CREATE TABLE snapshot_visibility (
        tenant TEXT NOT NULL,
        snapshot_seq INTEGER NOT NULL REFERENCES snapshots (seq),
        PRIMARY KEY (tenant, snapshot_seq)
      )`,
      // Deleting a snapshot (and the foreign key check that goes with it).
      `CREATE INDEX snapshot_visibility_by_snapshot ON snapshot_visibility (snapshot_seq)`,

      // Snapshot content keeps the source rows' seq: pages come back in source
      // order and the primary key is the keyset index.
      `CREATE TABLE snapshot_users (
        snapshot_id TEXT NOT NULL REFERENCES snapshots (id),
        seq INTEGER NOT NULL,
        user_id TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('CREATED', 'ACTIVE')),
        PRIMARY KEY (snapshot_id, seq)
      )`,

      // Per snapshot, not shared with `images`: an image there goes with the
      // last face referencing it, but a snapshot must outlive its source.
      `CREATE TABLE snapshot_images (
        snapshot_id TEXT NOT NULL REFERENCES snapshots (id),
        sha256 TEXT NOT NULL,
        bytes BLOB NOT NULL,
        PRIMARY KEY (snapshot_id, sha256)
      )`,

      `CREATE TABLE snapshot_faces (
        snapshot_id TEXT NOT NULL REFERENCES snapshots (id),
        seq INTEGER NOT NULL,
        face_id TEXT NOT NULL,
        user_id TEXT,
        external_image_id TEXT,
        bbox_left REAL NOT NULL,
        bbox_top REAL NOT NULL,
        bbox_width REAL NOT NULL,
        bbox_height REAL NOT NULL,
        confidence REAL NOT NULL,
        descriptor BLOB NOT NULL,
        image_sha256 TEXT,
        indexed_at INTEGER NOT NULL,
        PRIMARY KEY (snapshot_id, seq),
        CONSTRAINT snapshot_faces_image FOREIGN KEY (snapshot_id, image_sha256)
          REFERENCES snapshot_images (snapshot_id, sha256)
      )`,
      // What the snapshot_faces → snapshot_images foreign key check uses when
      // images are deleted; without it each deleted image scans the snapshot.
      `CREATE INDEX snapshot_faces_by_image ON snapshot_faces (snapshot_id, image_sha256)`,

      // `seq`/`id` as for snapshots. No foreign key on snapshot_id: an
      // operation's record outlives a deleted snapshot. No CHECK on kind:
      // kinds grow with features (SQLite cannot alter a CHECK), reads validate.
      `CREATE TABLE operations (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL,
        kind TEXT NOT NULL,
        owner TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('NOT_STARTED', 'RUNNING', 'SUCCEEDED', 'FAILED')),
        percent REAL NOT NULL,
        processed_items INTEGER NOT NULL,
        total_items INTEGER,
        snapshot_id TEXT,
        target_provider TEXT,
        target_collection_id TEXT,
        message TEXT,
        created_at INTEGER NOT NULL,
        last_action_at INTEGER NOT NULL,
        CONSTRAINT operations_id UNIQUE (id),
        CONSTRAINT operations_target CHECK ((target_provider IS NULL) = (target_collection_id IS NULL))
      )`,
      // Operations to resume or fail after a restart, in creation order.
      `CREATE INDEX operations_by_status ON operations (status, seq)`,
    ],
  },
  {
    version: 3,
    description: 'provider records and retained images of cloud provider collections',
    statements: [
      // Scoped by provider instance and collection id, not by a collections
      // row: the collection lives in the cloud provider (see provider-record-store.ts).
      `CREATE TABLE provider_records (
        provider TEXT NOT NULL,
        collection_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        record_key TEXT NOT NULL,
        value TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (provider, collection_id, kind, record_key)
      )`,
      `CREATE TABLE provider_images (
        provider TEXT NOT NULL,
        collection_id TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        bytes BLOB NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (provider, collection_id, sha256)
      )`,
    ],
  },
  {
    version: 4,
    description: 'association change log: which faces changed user, numbered per collection, for search indexes to catch up',
    statements: [
      // Bumped by every transaction that changes a collection's associations;
      // the UPDATE locks the collection's row until commit, so a collection's
      // change numbers commit in order on both backends.
      `ALTER TABLE collections ADD COLUMN association_changes INTEGER NOT NULL DEFAULT 0`,
      `CREATE TABLE association_changes (
        collection_key INTEGER NOT NULL REFERENCES collections (key),
        change INTEGER NOT NULL,
        face_id TEXT NOT NULL,
        PRIMARY KEY (collection_key, change, face_id)
      )`,
    ],
  },
];
