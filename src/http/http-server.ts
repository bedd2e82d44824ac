/**
 * The node:http server under both transports, and the HTTP half of a
 * graceful stop: it counts the requests in flight so a stop can let them
 * finish (as Apollo's drainHttpServer plugin does for Express) before the
 * remaining connections are cut.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { answerClientError } from './client-errors.js';
import { sendInternalError } from './send.js';

/** Answers one request. A rejection is logged and answered 500 (or the connection cut, when the head was already sent). */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * A node:http server that knows which requests are in flight.
 *
 * ```ts
 * const http = new HttpServer(handle, logger);
 * const origin = await http.listen(4000, '127.0.0.1');
 * await http.drain(); // no new connections; in-flight requests finish
 * await http.close(); // what is left is cut
 * ```
 */
export class HttpServer {
  /** The server itself, for the WebSocket server to share its port. */
  readonly server: http.Server;
  private draining = false;
  /** Requests being handled; drain() waits for `drained` while there are any. */
  private inFlight = 0;
  private drained: (() => void) | undefined;
  private closed: Promise<void> = Promise.resolve();

  constructor(handle: RequestHandler, logger: Logger) {
    const finished = () => {
      if (--this.inFlight === 0) this.drained?.();
    };
    this.server = http.createServer((req, res) => {
      if (this.draining) res.setHeader('connection', 'close');
      this.inFlight++;
      handle(req, res).then(finished, (err: unknown) => {
        logger.error({ err }, 'request failed outside GraphQL');
        sendInternalError(res);
        finished();
      });
    });
    this.server.on('clientError', answerClientError);
  }

  /** True from the first {@link drain}: responses then close their connection. */
  get stopping(): boolean {
    return this.draining;
  }

  /** Listens on `host`:`port` (port 0 picks a free one); resolves with the origin, e.g. `http://[::1]:4000`. */
  async listen(port: number, host: string): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    const address = this.server.address() as AddressInfo;
    return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  }

  /** Accepts no new connection, closes the idle ones and resolves once no request is in flight. */
  async drain(): Promise<void> {
    this.draining = true;
    this.closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.drained = resolve));
  }

  /** Cuts every connection still open (WebSockets included) and resolves once the server has closed. */
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await this.closed;
  }
}
