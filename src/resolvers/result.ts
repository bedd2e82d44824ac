/**
 * Expected failures become values: a DomainError whose type is a member of
 * the field's result union is returned as that member; any other becomes a
 * GraphQL error with a stable `extensions.code`.
 */
import { GraphQLError } from 'graphql';
import { isDomainError, type DomainError } from '../domain/errors.js';
import { toErrorValue, type ErrorValue } from '../schema/errors.types.js';

/** A GraphQL error carrying the DomainError's code, field and provider code. */
export function toGraphQLError(error: DomainError): GraphQLError {
  const { field, providerCode } = error.details;
  return new GraphQLError(error.message, {
    extensions: { code: error.code, ...(field ? { field } : {}), ...(providerCode ? { providerCode } : {}) },
    originalError: error,
  });
}

type Members = readonly (abstract new () => object)[];

/** Runs `work`, turning DomainErrors into members of the union listed in `members`. */
export async function resultOf<M extends Members, T>(members: M, work: () => Promise<T>): Promise<T | InstanceType<M[number]>> {
  try {
    return await work();
  } catch (e) {
    if (!isDomainError(e)) throw e;
    const value: ErrorValue | undefined = toErrorValue(e, members);
    // toErrorValue only builds classes found in `members`.
    if (value) return value as InstanceType<M[number]>;
    throw toGraphQLError(e);
  }
}
