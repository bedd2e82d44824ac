/**
 * Where a gateway's CPU went, from the `.cpuprofile` files `--cpu-prof`
 * wrote (bench:fanout's BENCH_CPU_PROF_DIR): `node
 * dist/bench/cpu-profile-summary.js <dir>` reads every profile under
 * `<dir>` and, if `<dir>/window.json` exists, only the samples inside that
 * window (CLOCK_MONOTONIC µs, the profiles' clock). Prints two tables, in
 * ms and % of the non-idle samples:
 * - self time by where the code lives (package, facegate folder, Node
 *   internals, GC);
 * - inclusive time under named stages of a delivery (a sample counts once
 *   for each stage on its stack).
 */
import { readdirSync, readFileSync, existsSync, statSync } from 'node:fs';
import path from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Stages of one delivery, recognised by a frame on the stack. */
const STAGES: { name: string; matches: (f: CallFrame) => boolean }[] = [
  { name: 'graphql-js execute (per event)', matches: (f) => f.url.includes('/graphql/execution/execute') && f.functionName === 'execute' },
  { name: 'graphql-js subscribe / source stream', matches: (f) => f.url.includes('/graphql/execution/subscribe') },
  { name: 'subscription fan-out (facegate)', matches: (f) => f.url.includes('/src/ws/subscription-fan-out') },
  { name: 'graphql-ws emit.next (onNext + stringify + send)', matches: (f) => f.url.includes('graphql-ws') && f.functionName === 'next' },
  { name: 'onNext (error formatting)', matches: (f) => f.url.includes('/src/ws/ws-server') && f.functionName === 'onNext' },
  { name: 'JSON.stringify of messages', matches: (f) => f.functionName === 'stringifyMessage' },
  { name: 'ws WebSocket.send', matches: (f) => f.url.includes('/ws/lib/websocket') && f.functionName === 'send' },
  { name: 'socket writes', matches: (f) => ['writeGeneric', 'writevGeneric', 'handleWriteReq'].includes(f.functionName) },
  { name: 'socket reads (incoming frames)', matches: (f) => f.functionName === 'onStreamRead' },
  { name: 'graphql-js parse + validate (subscribe)', matches: (f) => f.functionName === 'prepareOperation' },
  { name: 'progress bus deliver', matches: (f) => f.url.includes('/operations/progress-bus') && f.functionName === 'deliver' },
  {
    name: 'Redis message decode',
    matches: (f) => f.url.includes('ioredis') || f.url.includes('redis-parser') || f.url.includes('/cluster/redis-broadcast'),
  },
  {
    name: 'snapshot work (take/apply, store)',
    matches: (f) => f.url.includes('/src/store/') || f.functionName === 'runTake' || f.functionName === 'runApply',
  },
];

function whereOf(f: CallFrame): string {
  const { url, functionName } = f;
  if (!url) {
    if (functionName === '(garbage collector)') return 'GC';
    if (functionName === '(program)') return '(program: native, outside JS)';
    if (functionName === '(idle)') return '(idle)';
    if (functionName === 'stringify' || functionName === 'parse') return `JSON.${functionName}`;
    return 'V8 builtins';
  }
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  const src = /\/(src|bench)\/([^/]+)\//.exec(url);
  if (src) return `facegate ${src[1]}/${src[2]}`;
  if (url.startsWith('node:'))
    return `node: ${
      url
        .slice(5)
        .replace(/^internal\//, '')
        .split('/')[0]
    }`;
  return url;
}

function profilesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return profilesUnder(p);
    return name.endsWith('.cpuprofile') ? [p] : [];
  });
}

const dir = process.argv[2];
if (!dir) throw new Error('usage: node dist/bench/cpu-profile-summary.js <dir with .cpuprofile files>');
const windowFile = path.join(dir, 'window.json');
const window = existsSync(windowFile)
  ? (JSON.parse(readFileSync(windowFile, 'utf8')) as { startMicros: number; endMicros: number })
  : undefined;

const self = new Map<string, number>();
const selfByFunction = new Map<string, number>();
const stages = new Map<string, number>();
let busy = 0;
let idle = 0;
for (const file of profilesUnder(dir)) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stagesOf = new Map<number, string[]>();
  const stageNames = (id: number): string[] => {
    const known = stagesOf.get(id);
    if (known) return known;
    const names = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame;
      for (const s of STAGES) if (s.matches(frame)) names.add(s.name);
    }
    const list = [...names];
    stagesOf.set(id, list);
    return list;
  };
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    t += delta;
    if (window && (t < window.startMicros || t > window.endMicros)) continue;
    const node = byId.get(profile.samples[i])!;
    const where = whereOf(node.callFrame);
    if (where === '(idle)') {
      idle += delta;
      continue;
    }
    busy += delta;
    self.set(where, (self.get(where) ?? 0) + delta);
    const fn = `${node.callFrame.functionName || '(anonymous)'} ${where}`;
    selfByFunction.set(fn, (selfByFunction.get(fn) ?? 0) + delta);
    for (const s of stageNames(node.id)) stages.set(s, (stages.get(s) ?? 0) + delta);
  }
}

const ms = (micros: number) => Number((micros / 1000).toFixed(0));
const pct = (micros: number) => `${((micros / busy) * 100).toFixed(1)} %`;
console.log(`\n${dir}: ${window ? 'measured window only' : 'whole process lives'}; busy ${ms(busy)} ms, idle ${ms(idle)} ms`);
console.log('Self time by where the code lives');
console.table(
  [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 20)
    .map(([where, micros]) => ({ where, ms: ms(micros), share: pct(micros) })),
);
console.log('Inclusive time under each stage');
console.table(STAGES.map((s) => ({ stage: s.name, ms: ms(stages.get(s.name) ?? 0), share: pct(stages.get(s.name) ?? 0) })));
console.log('Self time by function (top 25)');
console.table(
  [...selfByFunction.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 25)
    .map(([fn, micros]) => ({ function: fn, ms: ms(micros), share: pct(micros) })),
);
