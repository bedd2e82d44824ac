/**
 * Schema migrations of the embedded store, applied in order at open and
 * recorded in `schema_version`; applying them again is a no-op. Append new
 * migrations, never edit a released one.
 *
 * The DDL sticks to portable SQL. The SQLite-specific parts a PostgreSQL
 * port changes are the column types only: `INTEGER PRIMARY KEY AUTOINCREMENT`
 * → `BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY`, `INTEGER` → `BIGINT`,
 * `REAL` → `DOUBLE PRECISION`, `BLOB` → `BYTEA`. AUTOINCREMENT is used
 * because sequences must never be reused: they are pagination keys and
 * surrogate keys of deleted rows may still sit in caches.
 *
 * Times are epoch milliseconds.
 */

export interface Migration {
  version: number;
  description: string;
  statements: readonly string[];
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
];
