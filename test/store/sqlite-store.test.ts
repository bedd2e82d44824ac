/**
 * The embedded SQLite store: the shared store behaviour (store-behaviour.ts)
 * on SQLite, plus what only SQLite has: WAL and per-connection pragmas in
 * <dataDir>/facegate.db, one process-wide queue serializing transactions
 * (async callbacks never interleave, afterCommit hooks run before the next
 * transaction starts), and upgrading a version-1 database file in place.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type * as SqliteStoreModule from '../../src/store/sqlite/sqlite-store.js';
import type { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { MIGRATIONS, bytesOf, descriptor, snapshotRecord, storeBehaviour, type StoreHarness } from './store-behaviour.js';
import { until } from '../support/wait.js';

const distUrl = (path: string): string => new URL(`../../dist/${path}`, import.meta.url).href;
const { openSqliteStore } = (await import(distUrl('src/store/sqlite/sqlite-store.js'))) as typeof SqliteStoreModule;

const root = mkdtempSync(join(tmpdir(), 'facegate-store-'));
const opened: SqliteStore[] = [];
let locations = 0;
const fileIn = (dir: string): string => join(dir, 'facegate.db');

/** Locations are directories under one temp root, removed at the end. */
const sqlite: StoreHarness = {
  backend: 'SQLite',
  available: true,
  capabilities: new Set(),
  violation: { unique: /UNIQUE constraint failed/, check: /CHECK constraint failed/, foreignKey: /FOREIGN KEY constraint failed/ },
  location: () => join(root, `store-${++locations}`),
  async open(dir) {
    const store = await openSqliteStore(dir);
    opened.push(store);
    return store;
  },
  async query(dir, sql, params = []) {
    const db = new Database(fileIn(dir));
    try {
      const statement = db.prepare(sql.replace(/\$\d+/g, '?'));
      if (statement.reader) return statement.all(...params) as Record<string, unknown>[];
      statement.run(...params);
      return [];
    } finally {
      db.close();
    }
  },
};

afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
  rmSync(root, { recursive: true, force: true });
});

storeBehaviour(sqlite);

describe('SQLite only: opening', () => {
  it('uses WAL, synchronous=FULL, foreign keys and a busy timeout, in <dataDir>/facegate.db', async () => {
    const dir = sqlite.location();
    const store = (await sqlite.open(dir)) as SqliteStore;
    expect(store.file).toBe(fileIn(dir));
    const db = new Database(store.file, { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      db.close();
    }
    // synchronous and foreign_keys are per connection: read them from the store's writer.
    const writer = (store as unknown as { writer: Database.Database }).writer;
    expect(writer.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(writer.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(writer.pragma('busy_timeout', { simple: true })).toBe(5000);
  });

  it('upgrades a version-1 database in place, keeping its data', async () => {
    // A database as a version-1 facegate left it: the v1 DDL and one face with an image.
    const dir = sqlite.location();
    mkdirSync(dir, { recursive: true });
    const v1 = new Database(fileIn(dir));
    v1.pragma('journal_mode = WAL');
    v1.exec('CREATE TABLE schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at INTEGER NOT NULL)');
    const [migration1] = MIGRATIONS.filter((m) => m.version === 1);
    for (const statement of migration1.statements) v1.exec(statement);
    v1.prepare('INSERT INTO schema_version VALUES (1, ?, 0)').run(migration1.description);
    v1.prepare(
      "INSERT INTO collections (provider, collection_id, created_at, face_count, user_count) VALUES ('local', 'old', 0, 1, 1)",
    ).run();
    v1.prepare("INSERT INTO users (collection_key, user_id, status, created_at) VALUES (1, 'old-user', 'ACTIVE', 0)").run();
    v1.prepare("INSERT INTO images (sha256, bytes, created_at) VALUES ('aa', x'010203', 0)").run();
    v1.prepare(
      `INSERT INTO faces (face_id, collection_key, user_seq, external_image_id, bbox_left, bbox_top, bbox_width, bbox_height,
         confidence, descriptor, image_sha256, indexed_at) VALUES ('old-face', 1, 1, NULL, 0, 0, 1, 1, 99, ?, 'aa', 5)`,
    ).run(bytesOf(descriptor(7)));
    expect(v1.prepare("SELECT name FROM sqlite_master WHERE name = 'snapshots'").all()).toEqual([]);
    v1.close();

    const upgraded = await sqlite.open(dir);
    const versions = await sqlite.query(dir, 'SELECT version FROM schema_version ORDER BY version');
    expect(versions).toEqual(MIGRATIONS.map((m) => ({ version: m.version })));
    const c = (await upgraded.getCollection({ provider: 'local', collectionId: 'old' }))!;
    expect(c.faceCount).toBe(1);
    // The old data can be snapshotted right away.
    const s = snapshotRecord({ source: { provider: 'local', collectionId: 'old' } });
    await upgraded.transaction(async (tx) => {
      await tx.insertSnapshot(s);
      await tx.copyUsersToSnapshot(c.key, s.id, null, 10);
      await tx.copyFacesToSnapshot(c.key, s.id, null, 10);
    });
    expect(await upgraded.listSnapshotUsers(s.id, { after: null, limit: 10 })).toEqual([{ seq: 1, userId: 'old-user', status: 'ACTIVE' }]);
    const [f] = await upgraded.listSnapshotFaces(s.id, { after: null, limit: 10 });
    expect(f).toMatchObject({ faceId: 'old-face', userId: 'old-user', imageSha256: 'aa', indexedAt: new Date(5) });
    expect(bytesOf(f.descriptor).equals(bytesOf(descriptor(7)))).toBe(true);
    expect(await upgraded.getSnapshotImage(s.id, 'aa')).toEqual(new Uint8Array([1, 2, 3]));
  });
});

describe('SQLite only: one transaction queue', () => {
  it('serializes async callbacks: no interleaving even when they await', async () => {
    const store = await sqlite.open(sqlite.location());
    const trace: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const run = (name: string) =>
      store.transaction(async (tx) => {
        trace.push(`${name}:start`);
        await gate;
        await tx.getCollection({ provider: 'local', collectionId: name });
        trace.push(`${name}:end`);
      });
    const all = Promise.all([run('a'), run('b'), run('c')]);
    // a holds the writer, awaiting; b and c asked for it in their calls above and must not start meanwhile.
    await until(() => trace.includes('a:start'), 'the first transaction to start');
    expect(trace).toEqual(['a:start']);
    release();
    await all;
    expect(trace).toEqual(['a:start', 'a:end', 'b:start', 'b:end', 'c:start', 'c:end']);
  });

  it('runs afterCommit hooks in commit order, before the next transaction starts', async () => {
    const store = await sqlite.open(sqlite.location());
    const order: string[] = [];
    await Promise.all(
      ['x', 'y', 'z'].map((n) =>
        store.transaction(async (tx) => {
          order.push(`start ${n}`);
          tx.afterCommit(() => order.push(`hook ${n}`));
        }),
      ),
    );
    expect(order).toEqual(['start x', 'hook x', 'start y', 'hook y', 'start z', 'hook z']);
  });
});
