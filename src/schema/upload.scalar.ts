/**
 * The `Upload` scalar of the GraphQL multipart request spec: a file part of
 * a multipart/form-data POST, placed in the variables by http/multipart.ts
 * before the operation runs. Anything else where an Upload is expected (a
 * JSON value in the variables, a literal in the document, any value over
 * WebSocket, where files cannot travel) is refused while variables are
 * coerced, before anything runs.
 */
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { UploadedFile } from '../domain/uploaded-file.js';

const HOW =
  'a file part of a multipart/form-data POST (GraphQL multipart request spec: operations, map, then the file; over HTTP only, never over WebSocket)';

/** What the refusal says a value was, in a few words. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a JSON list';
  return typeof value === 'object' ? 'a JSON object' : `a JSON ${typeof value}`;
}

export const UploadScalar = new GraphQLScalarType<UploadedFile, never>({
  name: 'Upload',
  description: `A file: ${HOW}. Input only.`,
  parseValue(value) {
    if (value instanceof UploadedFile) return value;
    throw new GraphQLError(`Upload: expected ${HOW}, got ${describe(value)}`, { extensions: { code: 'BAD_USER_INPUT' } });
  },
  parseLiteral(node) {
    throw new GraphQLError(
      `Upload: expected ${HOW} through a variable, got a ${node.kind === Kind.VARIABLE ? 'variable' : 'literal'} in the document`,
      {
        extensions: { code: 'BAD_USER_INPUT' },
      },
    );
  },
  serialize() {
    throw new GraphQLError('Upload: an input-only scalar, never returned');
  },
});
