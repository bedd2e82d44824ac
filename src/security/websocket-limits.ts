/**
 * Caps on what WebSocket clients may hold open: frames, sockets (overall and
 * per remote address), operations in flight per socket and subscriptions per
 * tenant. Each bounds memory or work a client can pin before or after it
 * authenticates; the transport (ws/ws-server.ts) enforces them.
 */
import { GraphQLError } from 'graphql';

/** The WebSocket caps (`websocket` in the config file). */
export interface WebSocketLimits {
  /**
   * Largest WebSocket message, in bytes. `ws` refuses a longer frame from its
   * header and closes the socket with 1009 (Message Too Big) before reading
   * the payload, so an oversized `connection_init` costs nothing.
   * @default maxBodyBytes (8 MiB): a subscribe carrying a 5 MiB image fits, as it does over HTTP
   */
  maxPayloadBytes: number;
  /** Open sockets on this replica; an upgrade beyond is refused with HTTP 503 and `Retry-After`. @default 1000 */
  maxConnections: number;
  /**
   * Open sockets from one remote address; an upgrade beyond is refused with HTTP 503. Behind a
   * proxy every client shares the proxy's address: raise it there. @default 100
   */
  maxConnectionsPerAddress: number;
  /** Operations in flight on one socket (subscriptions and running queries); beyond, a `TOO_MANY_OPERATIONS` error. @default 100 */
  maxOperationsPerSocket: number;
  /** Subscriptions one tenant holds open on this replica, over all its sockets; beyond, a `TOO_MANY_SUBSCRIPTIONS` error. @default 500 */
  maxSubscriptionsPerTenant: number;
}

/** The defaults of {@link WebSocketLimits} but `maxPayloadBytes`, which follows `maxBodyBytes`. */
export const DEFAULT_WEBSOCKET_LIMITS: Omit<WebSocketLimits, 'maxPayloadBytes'> = {
  maxConnections: 1000,
  maxConnectionsPerAddress: 100,
  maxOperationsPerSocket: 100,
  maxSubscriptionsPerTenant: 500,
};

/** The `extensions.code` of an operation refused by a WebSocket cap; the socket stays open. */
export const WEBSOCKET_LIMIT_CODES = ['TOO_MANY_OPERATIONS', 'TOO_MANY_SUBSCRIPTIONS'] as const;

/** The operation that would exceed `maxOperationsPerSocket`. */
export function tooManyOperations(max: number): GraphQLError {
  return new GraphQLError(
    `operations in flight on this socket: expected at most ${max}, got one more; complete one first or open another socket`,
    { extensions: { code: 'TOO_MANY_OPERATIONS', limit: max } },
  );
}

/** The subscription that would exceed `maxSubscriptionsPerTenant`. */
export function tooManySubscriptions(max: number): GraphQLError {
  return new GraphQLError(`open subscriptions of this tenant: expected at most ${max}, got one more; complete one first`, {
    extensions: { code: 'TOO_MANY_SUBSCRIPTIONS', limit: max },
  });
}

/**
 * Subscriptions held open, counted per tenant. A slot is taken when a
 * subscription is accepted and given back when it completes or its socket
 * closes, whichever comes first (giving back twice is harmless).
 */
export class TenantSubscriptions {
  private readonly byTenant = new Map<string, number>();
  /** socket → subscription id → tenant, so a closing socket gives back all it held. */
  private readonly bySocket = new WeakMap<object, Map<string, string>>();

  constructor(private readonly max: number) {}

  /** Takes a slot for subscription `id` of `socket`; false (nothing taken) when `tenant` holds `max` already. */
  open(socket: object, id: string, tenant: string): boolean {
    const held = this.byTenant.get(tenant) ?? 0;
    if (held >= this.max) return false;
    let ids = this.bySocket.get(socket);
    if (!ids) this.bySocket.set(socket, (ids = new Map()));
    this.close(socket, id);
    ids.set(id, tenant);
    this.byTenant.set(tenant, (this.byTenant.get(tenant) ?? 0) + 1);
    return true;
  }

  /** Gives back the slot of subscription `id` of `socket`, if it holds one. */
  close(socket: object, id: string): void {
    const ids = this.bySocket.get(socket);
    const tenant = ids?.get(id);
    if (tenant === undefined) return;
    ids!.delete(id);
    const left = (this.byTenant.get(tenant) ?? 1) - 1;
    if (left > 0) this.byTenant.set(tenant, left);
    else this.byTenant.delete(tenant);
  }

  /** Gives back every slot `socket` holds. */
  closeAll(socket: object): void {
    for (const id of [...(this.bySocket.get(socket)?.keys() ?? [])]) this.close(socket, id);
    this.bySocket.delete(socket);
  }

  /** Slots `tenant` holds (for tests and metrics). */
  held(tenant: string): number {
    return this.byTenant.get(tenant) ?? 0;
  }
}
