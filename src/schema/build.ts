/** Builds the executable GraphQL schema from the type-graphql classes. */
import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { buildSchema } from 'type-graphql';
import { AssociationResolver } from '../resolvers/association.resolver.js';
import { CollectionResolver } from '../resolvers/collection.resolver.js';
import { FaceResolver } from '../resolvers/face.resolver.js';
import { NodeResolver } from '../resolvers/node.resolver.js';
import { ProviderResolver } from '../resolvers/provider.resolver.js';
import { SearchResolver } from '../resolvers/search.resolver.js';
import { UserResolver } from '../resolvers/user.resolver.js';

export const RESOLVERS = [
  NodeResolver,
  ProviderResolver,
  CollectionResolver,
  UserResolver,
  FaceResolver,
  AssociationResolver,
  SearchResolver,
] as const;

export function buildGatewaySchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: [...RESOLVERS],
    scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
    validate: false,
  });
}
