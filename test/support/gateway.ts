/**
 * Runs the real gateway (the compiled `dist/src/main.js`) as a child process
 * and talks to it with real clients: fetch for HTTP, graphql-ws for
 * subscriptions.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { print } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { onJsonLogLines } from '../../dist/bench/json-log-lines.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MAIN = path.join(REPO_ROOT, 'dist/src/main.js');

/**
 * The /metrics key of every gateway these helpers start (its SHA-256 goes in
 * FACEGATE_METRICS_KEY_SHA256; pass `env: { FACEGATE_METRICS_KEY_SHA256: '' }`
 * for a gateway without one). {@link metricsText} and {@link metricSum} send it.
 */
export const METRICS_KEY = 'facegate-test-metrics-key';
export const METRICS_KEY_SHA256 = createHash('sha256').update(METRICS_KEY).digest('hex');

export interface GatewayProcess {
  url: string;
  wsUrl: string;
  dataDir: string;
  child: ChildProcess;
  /** Every log line the gateway printed (parsed JSON). */
  logs: Record<string, unknown>[];
  /** SIGTERM and wait for exit; returns the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL (a crash) and wait for exit. */
  kill(): Promise<void>;
}

export interface StartOptions {
  /** Reuse a data dir (e.g. after a crash); a fresh temp dir otherwise. */
  dataDir?: string;
  env?: Record<string, string>;
  /** Written to a JSON file in the data dir and passed as FACEGATE_CONFIG. */
  config?: Record<string, unknown>;
}

/** Starts a gateway on a free port and resolves once it listens. */
export function startGateway(options: StartOptions = {}): Promise<GatewayProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'facegate-test-'));
  const configEnv: Record<string, string> = {};
  if (options.config) {
    configEnv.FACEGATE_CONFIG = path.join(dataDir, 'facegate.config.json');
    writeFileSync(configEnv.FACEGATE_CONFIG, JSON.stringify(options.config));
  }
  const child = spawn(process.execPath, [MAIN], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      FACEGATE_DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      FACEGATE_METRICS_KEY_SHA256: METRICS_KEY_SHA256,
      ...configEnv,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  return new Promise((resolve, reject) => {
    onJsonLogLines(child.stdout!, (entry) => {
      logs.push(entry);
      if (entry.msg === 'facegate listening') {
        const url = entry.url as string;
        resolve({
          url,
          wsUrl: url.replace(/^http/, 'ws'),
          dataDir,
          child,
          logs,
          async stop() {
            if (isRunning(child)) child.kill('SIGTERM');
            return exited;
          },
          async kill() {
            if (isRunning(child)) child.kill('SIGKILL');
            await exited;
          },
        });
      }
    });
    void exited.then((code) => reject(new Error(`gateway exited with ${code} before listening: ${stderr.slice(0, 2000)}`)));
  });
}

/** Neither exited nor killed by a signal (a killed child keeps exitCode null). */
export const isRunning = (child: ChildProcess): boolean => child.exitCode === null && child.signalCode === null;

/** Removes a temp data dir made by {@link startGateway}. */
export function removeDataDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export interface GraphQLResponse<T = Record<string, any>> {
  data?: T | null;
  errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> }[];
}

/** POSTs one GraphQL operation over real HTTP, with `headers` besides the content-type (credentials). */
export async function gql<T = Record<string, any>>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<T>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as GraphQLResponse<T>;
}

/** Like {@link gql}, failing on any GraphQL error; returns data. */
export async function gqlData<T = Record<string, any>>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  headers?: Record<string, string>,
): Promise<T> {
  const res = await gql<T>(url, query, variables, headers);
  if (res.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(res.errors)}`);
  return res.data as T;
}

/** A graphql-ws client (Node 20 needs `ws` as the WebSocket implementation). */
export function wsClient(wsUrl: string, connectionParams?: Record<string, unknown>): Client {
  return createClient({ url: wsUrl, webSocketImpl: WebSocket, connectionParams, retryAttempts: 0, lazy: true });
}

/** The /metrics exposition of the gateway whose GraphQL endpoint is `url`, read with {@link METRICS_KEY}. */
export async function metricsText(url: string): Promise<string> {
  const res = await fetch(url.replace(/\/graphql$/, '/metrics'), { headers: { authorization: `Bearer ${METRICS_KEY}` } });
  if (res.status !== 200) throw new Error(`/metrics: expected 200, got ${res.status}`);
  return res.text();
}

/** Reads a counter from /metrics, summed over the label sets that match. */
export async function metricSum(url: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await metricsText(url);
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) sum += Number(line.split(' ').at(-1));
  }
  return sum;
}

/** Runs a typed document (from `npm run codegen`) and returns its data. */
export async function request<TResult, TVariables extends Record<string, unknown>>(
  url: string,
  document: TypedDocumentNode<TResult, TVariables>,
  variables: TVariables,
): Promise<TResult> {
  return gqlData<TResult & Record<string, any>>(url, print(document), variables);
}

/** Every `next` payload of one subscription until it completes (or errors: rejects with the errors). */
export function collectSubscription<T = Record<string, any>>(
  client: Client,
  query: string,
  variables: Record<string, unknown>,
  onEvent?: (data: T) => void,
): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const events: T[] = [];
    client.subscribe<T>(
      { query, variables },
      {
        next: (result) => {
          if (result.errors?.length) return reject(new Error(JSON.stringify(result.errors)));
          events.push(result.data as T);
          onEvent?.(result.data as T);
        },
        error: (e) => reject(e instanceof Error ? e : new Error(JSON.stringify(e))),
        complete: () => resolve(events),
      },
    );
  });
}
