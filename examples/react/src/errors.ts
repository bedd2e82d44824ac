/** One line for the status of a failed operation or an Error member of a result union. */
import { CombinedGraphQLErrors, ServerError } from '@apollo/client/errors';

/** A result union's Error member (`... on Error { code message }`) as it reads on screen: `CollectionNotFound: …`. */
export const describeResult = (r: { __typename?: string; message?: string }): string => `${r.__typename}: ${r.message ?? ''}`;

/** A rejected operation: the gateway's GraphQL errors with their code, an HTTP refusal with its status, else the message. */
export function describeError(error: unknown): string {
  if (CombinedGraphQLErrors.is(error)) return error.errors.map((e) => `${String(e.extensions?.code ?? 'ERROR')}: ${e.message}`).join('; ');
  if (ServerError.is(error)) return `HTTP ${error.statusCode}: ${firstMessage(error.bodyText) ?? error.message}`;
  return error instanceof Error ? error.message : String(error);
}

/** The first GraphQL error message of a refused request's JSON body, if it has one. */
function firstMessage(body: string): string | undefined {
  try {
    return (JSON.parse(body) as { errors?: { message: string }[] }).errors?.[0]?.message;
  } catch {
    return undefined;
  }
}
