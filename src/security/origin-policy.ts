/**
 * Which `Host` and `Origin` headers the gateway answers: the defence against
 * DNS rebinding (a page whose name resolves to 127.0.0.1 reaches the
 * gateway with its own Host) and cross-site WebSocket hijacking (any page
 * may open a WebSocket to localhost; only its Origin tells).
 *
 * Anonymous access (no credentials; loopback only) trusts whoever can
 * reach the port, so there the gateway answers only loopback Hosts and
 * Origins, plus those the configuration names (a proxy on the same host).
 * With credentials configured, a request carries its own key or token
 * (never a cookie), so Hosts are checked only when `allowedHosts` is set and
 * Origins only when `allowedOrigins` is set.
 *
 * A request without an Origin header is not a browser's cross-site request
 * (curl, Node clients): it is allowed. A page served by the gateway itself
 * (GraphiQL) is same-origin: an Origin naming the request's own Host passes
 * the Origin check (the Host check decides about that Host).
 */

/** What {@link OriginPolicy} allows (`allowedHosts` and `allowedOrigins` in the config file). */
export interface OriginPolicyConfig {
  /** Anonymous access is on: loopback Hosts and Origins are always allowed, and only they unless listed below. */
  anonymous: boolean;
  /** Host names (no port) answered besides loopback ones, e.g. a proxy's `faces.internal`. @default [] */
  allowedHosts: readonly string[];
  /** Origins (`scheme://host[:port]`) allowed besides loopback and same-origin ones, e.g. `https://admin.example.com`. @default [] */
  allowedOrigins: readonly string[];
}

/** Why a request was refused, as the `extensions.code` of the 403 it gets. */
export type OriginRefusal = 'FORBIDDEN_HOST' | 'FORBIDDEN_ORIGIN';

/** `localhost`, `*.localhost`, 127.0.0.0/8 and ::1. */
export function isLoopbackHostname(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/** The host name of a Host header (`name`, `name:port`, `[v6]:port`), lower-cased, brackets kept off. */
export function hostnameOfHostHeader(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') > 0 ? h.indexOf(']') : undefined);
  const colon = h.indexOf(':');
  return colon >= 0 && colon === h.lastIndexOf(':') ? h.slice(0, colon) : h;
}

/** `origin` normalised as the URL standard serialises it (`https://a.example`), or null when it is not a URL (`null` included). */
function originOf(origin: string): URL | null {
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
}

/** Checks the Host and Origin of HTTP requests and WebSocket upgrades. */
export class OriginPolicy {
  private readonly hosts: Set<string>;
  private readonly origins: Set<string>;

  constructor(private readonly config: OriginPolicyConfig) {
    this.hosts = new Set(config.allowedHosts.map((h) => h.toLowerCase()));
    this.origins = new Set(config.allowedOrigins.map((o) => originOf(o)?.origin ?? o));
  }

  /** Whether a request with these headers is answered: null when it is, else why not. */
  refusal(host: string | undefined, origin: string | undefined): OriginRefusal | null {
    if (!this.hostAllowed(host)) return 'FORBIDDEN_HOST';
    if (!this.originAllowed(origin, host)) return 'FORBIDDEN_ORIGIN';
    return null;
  }

  /** A missing Host is no browser's (browsers always send it). */
  private hostAllowed(host: string | undefined): boolean {
    if (host === undefined) return true;
    if (!this.config.anonymous && this.hosts.size === 0) return true;
    const hostname = hostnameOfHostHeader(host);
    return (this.config.anonymous && isLoopbackHostname(hostname)) || this.hosts.has(hostname);
  }

  private originAllowed(origin: string | undefined, host: string | undefined): boolean {
    if (origin === undefined) return true;
    if (!this.config.anonymous && this.origins.size === 0) return true;
    const url = originOf(origin);
    if (!url) return false; // `null` (sandboxed frames, file: pages) or garbage
    if (this.origins.has(url.origin)) return true;
    if (this.config.anonymous && isLoopbackHostname(url.hostname)) return true;
    return host !== undefined && isSameOrigin(url, host);
  }
}

/** Whether `origin` names the host and port of this Host header (a port left out is the scheme's default on either side). */
function isSameOrigin(origin: URL, host: string): boolean {
  const h = host.trim().toLowerCase();
  const hostname = hostnameOfHostHeader(h);
  const rest = h.startsWith('[') ? h.slice(h.indexOf(']') + 1) : h.slice(hostname.length);
  const defaultPort = origin.protocol === 'https:' ? '443' : '80';
  const hostPort = rest.startsWith(':') && rest.length > 1 ? rest.slice(1) : defaultPort;
  return origin.hostname.replace(/^\[(.*)\]$/, '$1') === hostname && (origin.port || defaultPort) === hostPort;
}

/** The body of a refusal, as GraphQL errors (HTTP 403, and the text of a refused WebSocket upgrade). */
export function originRefusalBody(refusal: OriginRefusal): { errors: { message: string; extensions: { code: OriginRefusal } }[] } {
  const message =
    refusal === 'FORBIDDEN_HOST'
      ? 'Host header: expected a loopback host or one named in allowedHosts, got another'
      : 'Origin header: expected a loopback origin, this server or one named in allowedOrigins, got another';
  return { errors: [{ message, extensions: { code: refusal } }] };
}
