/** Validating documents as the gateway does: graphql-js's rules, then the query limits (src/security/query-limits.ts). */
import { parse, specifiedRules, validate, type DocumentNode, type GraphQLError, type GraphQLSchema } from 'graphql';
import { limitRules, type QueryLimits } from '../../dist/src/security/query-limits.js';

/** Every error of validating `query` (text or parsed) against `schema` with `limits` over the defaults. */
export function validateWithLimits(
  schema: GraphQLSchema,
  query: string | DocumentNode,
  limits: Partial<QueryLimits> = {},
): readonly GraphQLError[] {
  return validate(schema, typeof query === 'string' ? parse(query) : query, [...specifiedRules, ...limitRules(limits)]);
}
