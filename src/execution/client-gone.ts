/**
 * The abort reason when a client goes away, shared by both transports (which
 * abort with it) and `formatError` (which answers with CANCELLED instead of
 * logging a fault). It lives here, below the transports, so neither imports
 * the other to name it.
 */

/** The abort reason when a client goes away: an expected end, not a fault to log as one. */
export class ClientGone extends Error {
  override readonly name = 'ClientGone';
}
