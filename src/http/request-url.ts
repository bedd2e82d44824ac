/** The parts of a request's URL the routes read. */
import type { IncomingMessage } from 'node:http';

/** The request's path; `/graphql` itself without parsing a URL, since nearly every request is one. */
export function pathnameOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  return url === '/graphql' || url.startsWith('/graphql?') ? '/graphql' : new URL(url, 'http://x').pathname;
}

/** The request's query string, as Apollo expects it (`?` included). */
export function searchOf(req: IncomingMessage): string {
  return new URL(req.url ?? '/', 'http://x').search;
}
