/**
 * formatError, the last stop of every error a client sees: a client that went
 * away is an expected end (logged at debug, code CANCELLED), anything unknown
 * is masked and logged as an error with nothing of it in the response.
 */
import { GraphQLError } from 'graphql';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ClientGone } from '../../dist/src/execution/client-gone.js';
import { formatError } from '../../dist/src/execution/format-error.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { lines, format: formatError(logger) };
}

/** As Apollo hands a resolver's error to formatError: wrapped in a GraphQLError at a path. */
const fromResolver = (original: Error) => {
  const wrapped = new GraphQLError(original.message, { path: ['searchUsersByImage'], originalError: original });
  return { formatted: { message: original.message, path: ['searchUsersByImage'] }, error: wrapped };
};

describe('formatError', () => {
  it('answers CANCELLED for a client that went away and logs it at debug, not as an unexpected error', () => {
    const { lines, format } = capture();
    const { formatted, error } = fromResolver(new ClientGone('the client closed the connection before the response'));
    expect(format(formatted, error)).toEqual({
      message: 'Cancelled: the client went away',
      path: ['searchUsersByImage'],
      extensions: { code: 'CANCELLED' },
    });
    expect(lines.map((l) => [l.level, l.msg])).toEqual([[20, 'operation cancelled: the client went away']]);
  });

  it('masks an unknown error (no message, stack or path of it) and logs it as an error', () => {
    const { lines, format } = capture();
    const { formatted, error } = fromResolver(new Error('SQLITE_CORRUPT at /var/lib/facegate/facegate.db'));
    const out = format(formatted, error);
    expect(out).toEqual({ message: 'Internal server error', path: ['searchUsersByImage'], extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(JSON.stringify(out)).not.toContain('SQLITE');
    expect(lines.map((l) => [l.level, l.msg])).toEqual([[50, 'unexpected error in a GraphQL operation']]);
  });
});
