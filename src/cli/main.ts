#!/usr/bin/env node
/**
 * `facegate <command>` (`npm run facegate -- <command>`): runs the gateway,
 * prints its schema, or acts as a client of a running gateway.
 *
 *   serve                      the gateway (as `npm start`; configured by the environment)
 *   schema                     the schema's SDL on stdout
 *   snapshot take  --provider P --collection C [--apply-scope T,...] [--watch]
 *   snapshot apply --snapshot ID --provider P --collection C [--watch]
 *   snapshot watch --operation ID
 *   collections ls [--provider P]
 *   index <image|folder>... --collection C [--provider P] [--user U] [--concurrency N]
 *   detect <image> [--provider P] [--attributes A,...] [--annotate out.png]
 *   compare <source> <target> [--provider P] [--threshold T] [--annotate out.png]
 *   identify <image> --collection C [--provider P] [--threshold T] [--max-faces N] [--annotate out.png]
 *
 * --url (or FACEGATE_URL) names the gateway; default http://127.0.0.1:4000/graphql.
 * --api-key (or FACEGATE_API_KEY) authenticates. --watch follows the
 * operation over graphql-ws with a progress bar and exits 0 on SUCCEEDED, 1
 * on FAILED; index draws a progress bar and exits 1 if any image failed.
 * detect, compare and identify print a table on a terminal and JSON
 * otherwise (--json or --format json|table to choose).
 */
import { parseArgs } from 'node:util';
import { accepted, CliError, gatewayClient } from './client.js';
import { compare, detect, identify, type FaceCommandOptions } from './face-commands.js';
import { expandImagePaths, indexImages } from './index-images.js';
import { ProgressBar } from './progress-bar.js';

const USAGE = `usage:
  facegate serve
  facegate schema
  facegate snapshot take  --provider P --collection C [--apply-scope T,...] [--watch]
  facegate snapshot apply --snapshot ID --provider P --collection C [--watch]
  facegate snapshot watch --operation ID
  facegate collections ls [--provider P]
  facegate index <image|folder>... --collection C [--provider P] [--user U] [--concurrency N]
  facegate detect <image> [--provider P] [--attributes A,...] [--annotate out.png]
  facegate compare <source> <target> [--provider P] [--threshold T] [--annotate out.png]
  facegate identify <image> --collection C [--provider P] [--threshold T] [--max-faces N] [--annotate out.png]
output of detect/compare/identify: a table on a terminal, else JSON; --json or --format json|table chooses
options: --url URL (default $FACEGATE_URL or http://127.0.0.1:4000/graphql), --api-key KEY (default $FACEGATE_API_KEY)`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: 'string', default: process.env.FACEGATE_URL ?? 'http://127.0.0.1:4000/graphql' },
    provider: { type: 'string', default: 'local' },
    collection: { type: 'string' },
    snapshot: { type: 'string' },
    operation: { type: 'string' },
    'apply-scope': { type: 'string' },
    'api-key': { type: 'string', default: process.env.FACEGATE_API_KEY },
    user: { type: 'string' },
    concurrency: { type: 'string', default: '2' },
    watch: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    format: { type: 'string' },
    attributes: { type: 'string' },
    threshold: { type: 'string' },
    'max-faces': { type: 'string' },
    annotate: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

const client = gatewayClient(values.url!, values['api-key']);
const call = client.call;
/** What takeSnapshot and applySnapshot answer as the CLI selects them. */
type Accepted = { __typename: string; code?: string; message?: string; operation: { id: string } };

function required(name: 'collection' | 'snapshot' | 'operation'): string {
  const v = values[name];
  if (!v) throw new CliError(`--${name} is required\n${USAGE}`);
  return v;
}

interface ProgressEvent {
  status: string;
  percent: number;
  processedItems: number;
  totalItems: number | null;
  message: string | null;
  snapshot: { id: string } | null;
}

/** Follows an operation with a progress bar; resolves with its last event. */
function watch(operationId: string): Promise<ProgressEvent> {
  const ws = client.ws();
  const bar = new ProgressBar();
  let last: ProgressEvent | undefined;
  return new Promise<ProgressEvent>((resolve, reject) => {
    ws.subscribe<{ snapshotProgress: ProgressEvent }>(
      {
        query: `subscription($id: ID!) { snapshotProgress(operationId: $id) { status percent processedItems totalItems message snapshot { id } } }`,
        variables: { id: operationId },
      },
      {
        next: ({ data, errors }) => {
          if (errors?.length) return reject(new CliError(errors.map((e) => e.message).join('; ')));
          last = data!.snapshotProgress;
          bar.update(last.percent, `${last.status} ${last.processedItems}/${last.totalItems ?? '?'}`);
        },
        error: (e) => reject(e instanceof Error ? e : new CliError('subscription failed')),
        complete: () => (last ? resolve(last) : reject(new CliError('subscription ended without an event'))),
      },
    );
  }).finally(() => {
    bar.done();
    void ws.dispose();
  });
}

async function finish(operationId: string): Promise<number> {
  if (!values.watch) {
    console.log(JSON.stringify({ operationId }));
    return 0;
  }
  const last = await watch(operationId);
  console.log(JSON.stringify({ operationId, status: last.status, snapshotId: last.snapshot?.id ?? null, message: last.message }));
  return last.status === 'SUCCEEDED' ? 0 : 1;
}

/** A number option within `min..max`, or undefined when not given. */
function numberOption(name: 'threshold' | 'max-faces', min: number, max: number, integer: boolean): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n)))
    throw new CliError(`--${name}: expected ${integer ? 'an integer' : 'a number'} in ${min}..${max}, got ${raw}`);
  return n;
}

function faceCommand(command: 'detect' | 'compare' | 'identify', files: string[]): Promise<number> {
  const wanted = command === 'compare' ? 2 : 1;
  if (files.length !== wanted) throw new CliError(`${command}: expected ${wanted} image file(s), got ${files.length}\n${USAGE}`);
  const format = values.json ? 'json' : (values.format ?? (process.stdout.isTTY ? 'table' : 'json'));
  if (format !== 'json' && format !== 'table') throw new CliError(`--format: expected json or table, got ${format}`);
  const options: FaceCommandOptions = {
    provider: values.provider!,
    format,
    collectionId: values.collection,
    threshold: numberOption('threshold', 0, 100, false),
    maxFaces: numberOption('max-faces', 1, 100, true),
    attributes: values.attributes?.split(',').filter(Boolean),
    annotate: values.annotate,
  };
  if (command === 'detect') return detect(client, files[0], options);
  if (command === 'compare') return compare(client, files[0], files[1], options);
  return identify(client, files[0], options);
}

async function main(): Promise<number> {
  const [group, command] = positionals;
  if (values.help || !group) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  if (group === 'serve') {
    await import('../main.js');
    return new Promise<number>(() => {}); // runs until a signal stops the gateway
  }
  if (group === 'schema') {
    await import('reflect-metadata');
    const { lexicographicSortSchema, printSchema } = await import('graphql');
    const { buildGatewaySchema } = await import('../execution/build-schema.js');
    process.stdout.write(`${printSchema(lexicographicSortSchema(await buildGatewaySchema()))}\n`);
    return 0;
  }
  if (group === 'index') {
    const concurrency = Number(values.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 16)
      throw new CliError(`--concurrency: expected an integer in 1..16, got ${values.concurrency}`);
    const files = await expandImagePaths(positionals.slice(1));
    const options = { provider: values.provider!, collectionId: required('collection'), userId: values.user, concurrency };
    const summary = await indexImages(client, files, options, new ProgressBar());
    console.log(JSON.stringify(summary));
    return summary.failed.length > 0 ? 1 : 0;
  }
  if (group === 'detect' || group === 'compare' || group === 'identify') return faceCommand(group, positionals.slice(1));
  const collection = () => ({ provider: values.provider, collectionId: required('collection') });
  if (group === 'snapshot' && command === 'take') {
    const scope = values['apply-scope']?.split(',').filter(Boolean);
    const data = await call<{ takeSnapshot: Accepted }>(
      `mutation($c: CollectionRef!, $s: [String!]) { takeSnapshot(input: { collection: $c, applyScope: $s }) {
      __typename ... on TakeSnapshotAccepted { operation { id } } ... on Error { code message } } }`,
      { c: collection(), s: scope },
    );
    return finish(accepted(data.takeSnapshot, 'TakeSnapshotAccepted').operation.id);
  }
  if (group === 'snapshot' && command === 'apply') {
    const data = await call<{ applySnapshot: Accepted }>(
      `mutation($s: ID!, $t: CollectionRef!) { applySnapshot(input: { snapshotId: $s, target: $t }) {
      __typename ... on ApplySnapshotAccepted { operation { id } } ... on Error { code message } } }`,
      { s: required('snapshot'), t: collection() },
    );
    return finish(accepted(data.applySnapshot, 'ApplySnapshotAccepted').operation.id);
  }
  if (group === 'snapshot' && command === 'watch') {
    values.watch = true;
    return finish(required('operation'));
  }
  if (group === 'collections' && command === 'ls') {
    const data = await call<{
      provider: { collections: { edges: { node: { collectionId: string; userCount: number; faceCount: number } }[] } } | null;
    }>(`query($p: String!) { provider(name: $p) { collections(first: 500) { edges { node { collectionId userCount faceCount } } } } }`, {
      p: values.provider,
    });
    if (!data.provider) throw new CliError(`no provider named ${values.provider}`);
    for (const { node } of data.provider.collections.edges)
      console.log(`${node.collectionId}\tusers=${node.userCount}\tfaces=${node.faceCount}`);
    return 0;
  }
  throw new CliError(`unknown command: ${positionals.join(' ')}\n${USAGE}`);
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`facegate: ${e instanceof CliError ? e.message : e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
