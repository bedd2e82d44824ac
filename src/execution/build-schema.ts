/** Builds the executable GraphQL schema from the type-graphql classes. */
import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { createPubSub } from '@graphql-yoga/subscription';
import { DateTimeResolver } from 'graphql-scalars';
import { buildSchema, type BuildSchemaOptions } from 'type-graphql';
import { directResolvers } from './direct-resolvers.js';
import { AssociationResolver } from '../resolvers/association.resolver.js';
import { CollectionResolver } from '../resolvers/collection.resolver.js';
import { DetectFacesResolver } from '../resolvers/detect-faces.resolver.js';
import { FaceResolver } from '../resolvers/face.resolver.js';
import { FaceSearchResolver } from '../resolvers/face-search.resolver.js';
import { NodeResolver } from '../resolvers/node.resolver.js';
import { OperationResolver, SnapshotProgressResolver } from '../resolvers/operation.resolver.js';
import { ProviderResolver } from '../resolvers/provider.resolver.js';
import { SearchResolver } from '../resolvers/search.resolver.js';
import { SnapshotResolver } from '../resolvers/snapshot.resolver.js';
import { TrainingResolver } from '../resolvers/training.resolver.js';
import { UserResolver } from '../resolvers/user.resolver.js';

export const RESOLVERS = [
  NodeResolver,
  ProviderResolver,
  CollectionResolver,
  UserResolver,
  FaceResolver,
  AssociationResolver,
  SearchResolver,
  DetectFacesResolver,
  FaceSearchResolver,
  SnapshotResolver,
  OperationResolver,
  SnapshotProgressResolver,
  TrainingResolver,
] as const;

export async function buildGatewaySchema(): Promise<GraphQLSchema> {
  // One options object: directResolvers must see what the build was given (e.g. a global middleware).
  const options: BuildSchemaOptions = {
    resolvers: [...RESOLVERS],
    scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
    validate: false,
    // Our one subscription brings its own `subscribe` stream (SnapshotService.progress);
    // type-graphql still refuses to build a schema with a Subscription but no PubSub.
    pubSub: createPubSub(),
  };
  const schema = await buildSchema(options);
  directResolvers(schema, options);
  return schema;
}
