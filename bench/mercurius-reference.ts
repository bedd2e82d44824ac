/**
 * Reference for `npm run bench`: the same two benchmark queries served by
 * fastify + mercurius with graphql-jit (`jit: 1`), over the same data — the
 * same local provider adapter on the same SQLite store directory, batching
 * a page's faces with a mercurius loader (one `listUserFaces` call per
 * page, as facegate's DataLoader does). Only the fields the benchmark
 * selects exist; no auth, limits or metrics: it is the fast-Node-GraphQL
 * bar that facegate's own execution is measured against.
 *
 * Usage: node mercurius-reference.js <port> <data-dir>
 * Prints `ready` when listening.
 */
import Fastify from 'fastify';
import mercurius, { type IResolvers, type MercuriusLoaders } from 'mercurius';
import pino from 'pino';
import { ProviderRegistry } from '../src/datasources/registry.js';
import type { FaceProvider } from '../src/datasources/provider.js';
import type { FaceRecord, UserRecord } from '../src/domain/records.js';
import { CachedEngine } from '../src/engine/detection-cache.js';
import { FaceEngine } from '../src/engine/index.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';

const [port, dataDir] = process.argv.slice(2);
const store = await openSqliteStore(dataDir);
const registry = new ProviderRegistry([{ name: 'local', kind: 'local', options: {} }], {
  store,
  engine: new CachedEngine(new FaceEngine({ workers: 1, maxQueue: 1 })), // never started: no image is sent
  logger: pino({ level: 'silent' }),
});
const local = registry.get('local') as FaceProvider;

const schema = /* GraphQL */ `
  input CollectionRef {
    provider: String!
    collectionId: String!
  }
  enum UserStatus {
    ACTIVE
    UPDATING
    CREATING
    CREATED
  }
  type Provider {
    name: String!
  }
  type PageInfo {
    hasNextPage: Boolean!
    endCursor: String
  }
  type Face {
    faceId: String!
  }
  type FaceEdge {
    node: Face!
  }
  type FaceConnection {
    edges: [FaceEdge!]!
    pageInfo: PageInfo!
  }
  type User {
    userId: String!
    status: UserStatus!
    faces(first: Int = 100): FaceConnection!
  }
  type UserEdge {
    node: User!
  }
  type UserConnection {
    edges: [UserEdge!]!
    pageInfo: PageInfo!
  }
  type Collection {
    collectionId: String!
    users(first: Int = 50): UserConnection!
  }
  type Query {
    providers: [Provider!]!
    collection(ref: CollectionRef!): Collection
  }
`;

interface CollectionParent {
  collectionId: string;
}

const resolvers: IResolvers = {
  Query: {
    providers: () => registry.list().map((p) => ({ name: p.name })),
    collection: async (_root: unknown, { ref }: { ref: { provider: string; collectionId: string } }) => {
      const provider = registry.get(ref.provider);
      const [record] = provider ? await provider.getCollections([ref.collectionId]) : [null];
      return record;
    },
  },
  Collection: {
    users: async (collection: CollectionParent, { first }: { first: number }) => {
      const page = await local.listUsers(collection.collectionId, { limit: first });
      return { edges: page.items.map((node) => ({ node })), pageInfo: { hasNextPage: page.nextToken !== undefined, endCursor: null } };
    },
  },
};

const loaders: MercuriusLoaders = {
  User: {
    async faces(queries: { obj: UserRecord; params: { first: number } }[]) {
      const faces = await local.listUserFaces(
        queries[0].obj.collectionId,
        queries.map((q) => q.obj.userId),
      );
      return queries.map((q, i) => {
        const items: FaceRecord[] = faces[i].slice(0, q.params.first);
        return { edges: items.map((node) => ({ node })), pageInfo: { hasNextPage: faces[i].length > items.length, endCursor: null } };
      });
    },
  },
};

const app = Fastify();
await app.register(mercurius, { schema, resolvers, loaders, jit: 1, path: '/graphql' });
await app.listen({ port: Number(port), host: '127.0.0.1' });
process.stdout.write('ready\n');
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    void app
      .close()
      .then(() => registry.close())
      .then(() => store.close())
      .finally(() => process.exit(0));
  });
}
