/**
 * Reference for `npm run bench`: every benchmark query served by fastify +
 * mercurius with graphql-jit (`jit: 1`), over the same data — the same
 * local provider adapter on the same SQLite store directory, with the same
 * pagination and global-id helpers as facegate's resolvers — batching a
 * page's per-user fields with mercurius loaders (one `listUserFaces` and
 * one `countUserFaces` call per page, as facegate's DataLoaders do). Only
 * the fields the benchmark selects exist; no auth, limits, caches or
 * metrics: it is the fast-Node-GraphQL bar that facegate's own execution is
 * measured against.
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
import { fromGlobalId, toGlobalId } from '../src/domain/global-id.js';
import { paginate, paginateArray } from '../src/resolvers/pagination.js';
import { CachedEngine } from '../src/engine/detection-cache.js';
import { FaceEngine } from '../src/engine/index.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';

const [port, dataDir] = process.argv.slice(2);
const store = await openSqliteStore(dataDir);
const registry = new ProviderRegistry([{ name: 'local', kind: 'local', options: {} }], {
  store,
  engine: new CachedEngine(new FaceEngine({ workers: 1, maxQueue: 4 })), // started by the first search; its repeats are cached
  logger: pino({ level: 'silent' }),
});
const local = registry.get('local') as FaceProvider;

const schema = /* GraphQL */ `
  input CollectionRef {
    provider: String!
    collectionId: String!
  }
  input ImageInput {
    base64: String
  }
  input CreateUserInput {
    collection: CollectionRef!
    userId: String!
  }
  input DeleteUserInput {
    collection: CollectionRef!
    userId: String!
  }
  input UserFacesInput {
    collection: CollectionRef!
    userId: String!
    faceIds: [String!]!
  }
  input SearchUsersByImageInput {
    collection: CollectionRef!
    image: ImageInput!
    maxUsers: Int = 10
    userMatchThreshold: Float = 80
  }
  enum UserStatus {
    ACTIVE
    UPDATING
    CREATING
    CREATED
  }
  interface Node {
    id: ID!
  }
  type Provider {
    name: String!
  }
  type PageInfo {
    hasNextPage: Boolean!
    endCursor: String
  }
  type Face implements Node {
    id: ID!
    faceId: String!
  }
  type FaceEdge {
    cursor: String!
    node: Face!
  }
  type FaceConnection {
    edges: [FaceEdge!]!
    pageInfo: PageInfo!
  }
  type User implements Node {
    id: ID!
    userId: String!
    status: UserStatus!
    faceCount: Int!
    faces(first: Int = 100, after: String): FaceConnection!
  }
  type UserEdge {
    cursor: String!
    node: User!
  }
  type UserConnection {
    edges: [UserEdge!]!
    pageInfo: PageInfo!
  }
  type Collection {
    collectionId: String!
    users(first: Int = 50, after: String): UserConnection!
  }
  type BoundingBox {
    left: Float!
    top: Float!
    width: Float!
    height: Float!
  }
  type DetectedFace {
    boundingBox: BoundingBox!
    confidence: Float!
  }
  type UserMatch {
    similarity: Float!
    user: User!
  }
  type SearchUsersByImageSuccess {
    searchedFace: DetectedFace
    userMatches: [UserMatch!]!
  }
  union SearchUsersByImageResult = SearchUsersByImageSuccess
  type CreateUserSuccess {
    user: User!
  }
  union CreateUserResult = CreateUserSuccess
  type AssociateFacesSuccess {
    associatedFaces: [Face!]!
    user: User!
    userStatus: UserStatus!
  }
  union AssociateFacesResult = AssociateFacesSuccess
  type DisassociateFacesSuccess {
    disassociatedFaces: [Face!]!
    user: User!
    userStatus: UserStatus!
  }
  union DisassociateFacesResult = DisassociateFacesSuccess
  type DeleteUserSuccess {
    userId: String!
  }
  union DeleteUserResult = DeleteUserSuccess
  type Query {
    providers: [Provider!]!
    collection(ref: CollectionRef!): Collection
    node(id: ID!): Node
    searchUsersByImage(input: SearchUsersByImageInput!): SearchUsersByImageResult!
  }
  type Mutation {
    createUser(input: CreateUserInput!): CreateUserResult!
    associateFaces(input: UserFacesInput!): AssociateFacesResult!
    disassociateFaces(input: UserFacesInput!): DisassociateFacesResult!
    deleteUser(input: DeleteUserInput!): DeleteUserResult!
  }
`;

/** What the resolvers pass down: records with the provider they came from, as facegate's User and Face objects carry it. */
interface UserNode extends UserRecord {
  __typename: 'User';
  providerName: string;
}
interface FaceNode extends FaceRecord {
  __typename: 'Face';
  providerName: string;
}
interface CollectionParent {
  collectionId: string;
}
type Ref = { provider: string; collectionId: string };

const userNode = (providerName: string, r: UserRecord): UserNode => ({ ...r, __typename: 'User', providerName });
const faceNode = (providerName: string, r: FaceRecord): FaceNode => ({ ...r, __typename: 'Face', providerName });
/** The detection cache answers a repeat only within a caller's scope: the reference is one caller. */
const CALL = { tenant: 'reference' };
const MAX_PAGE = 100;

function providerOf(ref: Ref): FaceProvider {
  const provider = registry.get(ref.provider);
  if (!provider) throw new Error(`no provider ${ref.provider}`);
  return provider;
}

/** The user and faces after a write, re-read as facegate's association resolvers do. */
async function reread(provider: FaceProvider, collectionId: string, userId: string, faceIds: string[]) {
  const [[user], faces] = await Promise.all([provider.getUsers(collectionId, [userId]), provider.getFaces(collectionId, faceIds)]);
  return {
    user: userNode(provider.name, user!),
    faces: faces.flatMap((f) => (f ? [faceNode(provider.name, f)] : [])),
  };
}

const resolvers: IResolvers = {
  Node: {
    resolveType: (obj: { __typename: string }) => obj.__typename,
  },
  User: {
    id: (u: UserNode) => toGlobalId('User', u.providerName, u.collectionId, u.userId),
  },
  Face: {
    id: (f: FaceNode) => toGlobalId('Face', f.providerName, f.collectionId, f.faceId),
  },
  SearchUsersByImageResult: { resolveType: () => 'SearchUsersByImageSuccess' },
  CreateUserResult: { resolveType: () => 'CreateUserSuccess' },
  AssociateFacesResult: { resolveType: () => 'AssociateFacesSuccess' },
  DisassociateFacesResult: { resolveType: () => 'DisassociateFacesSuccess' },
  DeleteUserResult: { resolveType: () => 'DeleteUserSuccess' },
  Query: {
    providers: () => registry.list().map((p) => ({ name: p.name })),
    collection: async (_root: unknown, { ref }: { ref: Ref }) => {
      const [record] = await providerOf(ref).getCollections([ref.collectionId]);
      return record;
    },
    node: async (_root: unknown, { id }: { id: string }) => {
      const ref = fromGlobalId(id);
      if (ref?.type !== 'User') return null;
      const [providerName, collectionId, userId] = ref.parts;
      const [record] = await providerOf({ provider: providerName, collectionId }).getUsers(collectionId, [userId]);
      return record ? userNode(providerName, record) : null;
    },
    searchUsersByImage: async (
      _root: unknown,
      { input }: { input: { collection: Ref; image: { base64: string }; maxUsers: number; userMatchThreshold: number } },
    ) => {
      const provider = providerOf(input.collection);
      const outcome = await provider.searchUsersByImage(
        {
          collectionId: input.collection.collectionId,
          image: Buffer.from(input.image.base64, 'base64'),
          userMatchThreshold: input.userMatchThreshold,
          maxUsers: input.maxUsers,
          qualityFilter: 'NONE',
        },
        CALL,
      );
      return {
        searchedFace: outcome.searchedFace,
        userMatches: outcome.userMatches.map((m) => ({ similarity: m.similarity, user: userNode(provider.name, m.user) })),
      };
    },
  },
  Mutation: {
    createUser: async (_root: unknown, { input }: { input: { collection: Ref; userId: string } }) => {
      const provider = providerOf(input.collection);
      const record = await provider.createUser({ collectionId: input.collection.collectionId, userId: input.userId });
      return { user: userNode(provider.name, record) };
    },
    associateFaces: async (_root: unknown, { input }: { input: { collection: Ref; userId: string; faceIds: string[] } }) => {
      const provider = providerOf(input.collection);
      const { collectionId } = input.collection;
      const outcome = await provider.associateFaces({ collectionId, userId: input.userId, faceIds: input.faceIds, userMatchThreshold: 75 });
      const { user, faces } = await reread(provider, collectionId, input.userId, outcome.associatedFaceIds);
      return { associatedFaces: faces, user, userStatus: outcome.userStatus };
    },
    disassociateFaces: async (_root: unknown, { input }: { input: { collection: Ref; userId: string; faceIds: string[] } }) => {
      const provider = providerOf(input.collection);
      const { collectionId } = input.collection;
      const outcome = await provider.disassociateFaces({ collectionId, userId: input.userId, faceIds: input.faceIds });
      const { user, faces } = await reread(provider, collectionId, input.userId, outcome.disassociatedFaceIds);
      return { disassociatedFaces: faces, user, userStatus: outcome.userStatus };
    },
    deleteUser: async (_root: unknown, { input }: { input: { collection: Ref; userId: string } }) => {
      await providerOf(input.collection).deleteUser({ collectionId: input.collection.collectionId, userId: input.userId });
      return { userId: input.userId };
    },
  },
  Collection: {
    users: async (collection: CollectionParent, { first, after }: { first: number; after?: string | null }) =>
      paginate(
        { first, after },
        MAX_PAGE,
        (page) => local.listUsers(collection.collectionId, page),
        (r) => userNode(local.name, r),
      ),
  },
};

/** One batched provider call a page for a per-user field, as facegate's DataLoaders make. */
const loaders: MercuriusLoaders = {
  User: {
    async faces(queries: { obj: UserNode; params: { first: number; after?: string | null } }[]) {
      const faces = await local.listUserFaces(
        queries[0].obj.collectionId,
        queries.map((q) => q.obj.userId),
      );
      return queries.map((q, i) =>
        paginateArray({ first: q.params.first, after: q.params.after }, MAX_PAGE, faces[i], (r) => faceNode(q.obj.providerName, r)),
      );
    },
    async faceCount(queries: { obj: UserNode }[]) {
      return local.countUserFaces(
        queries[0].obj.collectionId,
        queries.map((q) => q.obj.userId),
      );
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
