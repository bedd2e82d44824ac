/**
 * How a provider adapter plugs in: its kind's name, the options it accepts
 * in configuration, and a factory. The registry lists one definition per
 * adapter folder.
 */
import type { z } from 'zod';
import type { Logger } from 'pino';
import type { FaceEngineApi } from '../engine/types.js';
import type { Store } from '../store/store.js';
import type { FaceProvider } from './provider.js';

/** Shared resources a provider may use; created once per process. */
/**
 * Tells other replicas that data changed, so they drop what they cached
 * (RedisBroadcast implements it). Absent with a single process.
 */
export interface ChangeFeed {
  publish(key: string, payload: string): void;
  onMessage(handler: (key: string, payload: string) => void): void;
  /** Messages may have been missed: drop every cache. */
  onReconnect(handler: () => void): void;
}

export interface ProviderDeps {
  store: Store;
  /** The process's local face engine (its workers start on first use). */
  engine: FaceEngineApi;
  logger: Logger;
  /** Present when several replicas share the store. */
  changes?: ChangeFeed;
  /**
   * This process's data directory (each replica has its own, whatever the
   * store): where a provider keeps local files, such as the local
   * provider's saved search indexes. @default none: nothing kept on disk
   */
  dataDir?: string;
}

export interface ProviderDefinition<Options extends z.ZodTypeAny = z.ZodTypeAny> {
  /** The `kind` value in configuration, e.g. `local`. */
  kind: string;
  /** Options beside `name` and `kind` in a provider's configuration entry. */
  options: Options;
  create(name: string, options: z.infer<Options>, deps: ProviderDeps): FaceProvider;
}

/** Keeps a definition's option type while storing it in a list. */
export const defineProvider = <O extends z.ZodTypeAny>(d: ProviderDefinition<O>): ProviderDefinition<O> => d;
