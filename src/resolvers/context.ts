/**
 * What every resolver gets: the caller, the provider registry, this
 * request's DataLoaders (a fresh set per HTTP request or per subscription
 * event, so nothing they cache leaks between callers), and the gateway's
 * caches (../caches/), which keep only what does not depend on the caller.
 */
import type { Logger } from 'pino';
import type { Caller } from '../security/authenticator.js';
import type { TenantGrants } from '../security/grants.js';
import type { ProviderRegistry } from '../datasources/registry.js';
import type { FetchPolicy } from '../images/safe-fetch.js';
import { RequestImages } from '../images/image-input.js';
import type { SnapshotService } from '../operations/snapshot-service.js';
import { ReusedPages } from '../caches/reused-pages.js';
import { UserFaces } from '../caches/user-faces.js';
import { LazyAbort } from '../datasources/lazy-abort.js';
import { createLoaders, type Loaders } from './loaders.js';

export interface GatewayContext {
  /** The authenticated caller's tenant (or the anonymous tenant). */
  tenant: string;
  /** What tenants may use; every provider and collection access is checked against it. */
  grants: TenantGrants;
  /** How image URLs are fetched. */
  imagePolicy: FetchPolicy;
  /** This request's image bytes, each distinct image decoded (or fetched) once however many fields take it. */
  readonly images: RequestImages;
  requestId: string;
  registry: ProviderRegistry;
  snapshots: SnapshotService;
  /** The largest `first` any list accepts (the config's `limits.maxPageSize`). */
  maxPageSize: number;
  /** Pages reused across requests while a provider's data stands; one per gateway. */
  reusedPages: ReusedPages;
  /** Faces a page loaded for its users, for `User.faces`; one per gateway. */
  userFaces: UserFaces;
  loaders: Loaders;
  logger: Logger;
  /**
   * Aborted when the client goes away before the result. The context is the
   * CallOptions of the provider calls made for it: pass `ctx` itself (its
   * `signal` is a getter, made only when an adapter reads it).
   */
  readonly signal: AbortSignal;
}

/** What every context is made from; created once at start-up, by whoever makes the provider registry. */
export interface ContextDeps {
  grants: TenantGrants;
  imagePolicy: FetchPolicy;
  registry: ProviderRegistry;
  snapshots: SnapshotService;
  /** The config's `limits.maxPageSize`, the same number the query cost rule assumes for a page. */
  maxPageSize: number;
  /** Made once with the registry: its entries are kept by that registry's provider instances. */
  reusedPages: ReusedPages;
  /** Made once with the registry. */
  userFaces: UserFaces;
  logger: Logger;
}

/** The context's dependencies, with this gateway's caches made here: once per registry. */
export function contextDeps(deps: Omit<ContextDeps, 'reusedPages' | 'userFaces'>): ContextDeps {
  return { ...deps, reusedPages: new ReusedPages(), userFaces: new UserFaces() };
}

/**
 * A class, not an object literal: Apollo copies the context of each request
 * with Object.assign, which would run an own getter (and so make the request
 * logger and the AbortSignal every time); prototype getters survive the copy
 * unrun.
 */
class RequestContext implements GatewayContext {
  readonly tenant: string;
  readonly grants: TenantGrants;
  readonly imagePolicy: FetchPolicy;
  readonly registry: ProviderRegistry;
  readonly snapshots: SnapshotService;
  readonly maxPageSize: number;
  readonly reusedPages: ReusedPages;
  readonly userFaces: UserFaces;
  readonly loaders: Loaders;
  private requestLogger: Logger | undefined;
  private requestImages: RequestImages | undefined;

  constructor(
    private readonly baseLogger: Logger,
    deps: ContextDeps,
    caller: Caller,
    readonly requestId: string,
    private readonly abort: AbortSignal | LazyAbort,
  ) {
    this.tenant = caller.tenant;
    this.grants = deps.grants;
    this.imagePolicy = deps.imagePolicy;
    this.registry = deps.registry;
    this.snapshots = deps.snapshots;
    this.maxPageSize = deps.maxPageSize;
    this.reusedPages = deps.reusedPages;
    this.userFaces = deps.userFaces;
    this.loaders = createLoaders(deps.registry, this);
  }

  /** Made on first use: most requests log nothing. */
  get logger(): Logger {
    return (this.requestLogger ??= this.baseLogger.child({ requestId: this.requestId, tenant: this.tenant }));
  }

  /** Made on first use: most requests take no image. */
  get images(): RequestImages {
    return (this.requestImages ??= new RequestImages(this.imagePolicy));
  }

  get signal(): AbortSignal {
    return this.abort instanceof LazyAbort ? this.abort.signal : this.abort;
  }
}

/** A request's context; `signal` may be a {@link LazyAbort}, whose AbortSignal is only made when read. */
export function createContext(deps: ContextDeps, caller: Caller, requestId: string, signal: AbortSignal | LazyAbort): GatewayContext {
  return new RequestContext(deps.logger, deps, caller, requestId, signal);
}
