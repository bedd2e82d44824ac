/**
 * type-graphql's resolver wrapper is bypassed only where it would add
 * nothing: a global middleware (e.g. tracing) keeps every resolver wrapped,
 * so it still sees each call.
 */
import 'reflect-metadata';
import { createPubSub } from '@graphql-yoga/subscription';
import { graphql, type GraphQLSchema } from 'graphql';
import { buildSchema, type BuildSchemaOptions, type MiddlewareFn } from 'type-graphql';
import { describe, expect, it } from 'vitest';
import { directResolvers } from '../../dist/src/execution/direct-resolvers.js';
import { RESOLVERS } from '../../dist/src/execution/build-schema.js';

/** Enough of a context for the provider queries: no providers configured. */
const context = { tenant: 't', registry: { list: () => [], get: () => undefined }, grants: { canUseProvider: () => true } };

function resolversOf(schema: GraphQLSchema): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const name of ['Query', 'Collection', 'User']) {
    const type = schema.getType(name) as { getFields(): Record<string, { resolve?: unknown }> };
    for (const [field, def] of Object.entries(type.getFields())) out.set(`${name}.${field}`, def.resolve);
  }
  return out;
}

describe('direct resolvers', () => {
  it('replaces the wrapper of arg-taking resolvers and answers the same', async () => {
    const options: BuildSchemaOptions = {
      resolvers: [...RESOLVERS] as BuildSchemaOptions['resolvers'],
      validate: false,
      pubSub: createPubSub(),
    };
    const schema = await buildSchema(options);
    const before = resolversOf(schema);
    const query = '{ providers { name } provider(name: "absent") { name } }';
    const wrapped = await graphql({ schema, source: query, contextValue: context });

    expect(directResolvers(schema, options)).toBeGreaterThan(0);
    const after = resolversOf(schema);
    for (const field of ['Query.provider', 'Collection.users', 'User.faces']) expect(after.get(field)).not.toBe(before.get(field));
    expect(await graphql({ schema, source: query, contextValue: context })).toEqual(wrapped);
    expect(wrapped).toEqual({ data: { providers: [], provider: null } });
  });

  it('keeps every resolver wrapped when a global middleware is registered, so the middleware sees each call', async () => {
    const seen: string[] = [];
    const record: MiddlewareFn = ({ info }, next) => {
      seen.push(info.fieldName);
      return next();
    };
    const options: BuildSchemaOptions = {
      resolvers: [...RESOLVERS] as BuildSchemaOptions['resolvers'],
      validate: false,
      pubSub: createPubSub(),
      globalMiddlewares: [record],
    };
    const schema = await buildSchema(options);
    const before = resolversOf(schema);

    expect(directResolvers(schema, options)).toBe(0);
    expect(resolversOf(schema)).toEqual(before);
    const result = await graphql({ schema, source: '{ provider(name: "absent") { name } }', contextValue: context });
    expect(result).toEqual({ data: { provider: null } });
    expect(seen).toEqual(['provider']);
  });
});
