/**
 * A tiny WebAssembly SIMD kernel for {@link VectorIndex}: squared euclidean
 * distances from one 128-d query to a run of stored descriptors.
 *
 * Why: scalar JS over a large index is bound by bounds-checked loads with
 * no vectorisation, and misses the search budget at 100k faces; f32x4
 * arithmetic does four lanes a load (figures in BENCHMARKS.md). The module is generated here
 * from named opcodes (about 1 KB, no build step, nothing fetched) rather than
 * shipped as an opaque binary, so it can be read and changed.
 *
 * Memory layout (the caller owns an imported WebAssembly.Memory):
 *
 *   [0, 512)                      query, 128 × f32
 *   [512, 512 + 4·OUT_CAPACITY)   distances written by one call
 *   [SLAB_OFFSET, …)              descriptors, 512 bytes each, contiguous
 *
 * Export `d(ptr, n)`: for i in 0..n, out[i] = Σ (mem[ptr + 512·i + 4j] − q[j])².
 */

export const DIM = 128;
export const VECTOR_BYTES = DIM * 4;
export const QUERY_OFFSET = 0;
export const OUT_OFFSET = VECTOR_BYTES;
/** Distances produced per kernel call; the caller loops in chunks. */
export const OUT_CAPACITY = 4096;
export const SLAB_OFFSET = OUT_OFFSET + OUT_CAPACITY * 4;

export type DistanceKernel = (ptr: number, n: number) => void;

/**
 * The slice of the WebAssembly JS API used here. Declared locally because
 * the project's `lib` (ES2023, no DOM) and @types/node 20 do not type the
 * `WebAssembly` global.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(deltaPages: number): number;
}
interface WasmModule {
  readonly __wasmModule?: never;
}
interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { exports: Record<string, unknown> };
  validate(bytes: Uint8Array): boolean;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** Bytes in a WebAssembly page. */
export const WASM_PAGE = 65536;

/** A fresh memory of `pages` × 64 KiB for the kernel. */
export function createMemory(pages: number): WasmMemory {
  return new wasm.Memory({ initial: pages });
}

// --- encoding helpers ---------------------------------------------------

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const str = (s: string): number[] => [...uleb(s.length), ...Buffer.from(s, 'utf8')];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];

const I32 = 0x7f;
const V128 = 0x7b;
const op = {
  block: 0x02,
  loop: 0x03,
  brIf: 0x0d,
  end: 0x0b,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  f32Store: 0x38,
  i32Const: 0x41,
  i32LtU: 0x49,
  i32GeU: 0x4f,
  i32Add: 0x6a,
  i32Mul: 0x6c,
  f32Add: 0x92,
  void: 0x40,
} as const;
const simd = (code: number): number[] => [0xfd, ...uleb(code)];
const v128Load = (offset: number): number[] => [...simd(0x00), 4, ...uleb(offset)];
const f32x4ExtractLane = (lane: number): number[] => [...simd(0x1f), lane];
const f32x4Add = simd(0xe4);
const f32x4Sub = simd(0xe5);
const f32x4Mul = simd(0xe6);

// --- the kernel ---------------------------------------------------------

/** Builds the module bytes. Exported for tests. */
export function buildKernelModule(): Uint8Array {
  // params: 0 = ptr, 1 = n; locals: 2 = out, 3 = end, 4..35 = query lanes,
  // 36..39 = four accumulators (ILP), 40 = scratch difference.
  const OUT = 2;
  const END = 3;
  const Q = 4;
  const ACC = 36;
  const D = 40;
  const lanes = DIM / 4;

  const body: number[] = [];
  const emit = (...bytes: (number | number[])[]): void => {
    for (const b of bytes) {
      if (Array.isArray(b)) body.push(...b);
      else body.push(b);
    }
  };

  // Keep the query in registers for the whole call.
  for (let k = 0; k < lanes; k++) {
    emit(op.i32Const, sleb(QUERY_OFFSET), v128Load(16 * k), op.localSet, Q + k);
  }
  emit(op.i32Const, sleb(OUT_OFFSET), op.localSet, OUT);
  emit(op.localGet, 0, op.localGet, 1, op.i32Const, sleb(VECTOR_BYTES), op.i32Mul, op.i32Add, op.localSet, END);

  emit(op.block, op.void);
  emit(op.localGet, 0, op.localGet, END, op.i32GeU, op.brIf, 0);
  emit(op.loop, op.void);
  for (let k = 0; k < lanes; k++) {
    emit(op.localGet, 0, v128Load(16 * k), op.localGet, Q + k, f32x4Sub);
    emit(op.localTee, D, op.localGet, D, f32x4Mul);
    if (k < 4) emit(op.localSet, ACC + k);
    else emit(op.localGet, ACC + (k % 4), f32x4Add, op.localSet, ACC + (k % 4));
  }
  emit(op.localGet, ACC, op.localGet, ACC + 1, f32x4Add);
  emit(op.localGet, ACC + 2, op.localGet, ACC + 3, f32x4Add, f32x4Add, op.localSet, D);
  emit(op.localGet, OUT);
  emit(op.localGet, D, f32x4ExtractLane(0), op.localGet, D, f32x4ExtractLane(1), op.f32Add);
  emit(op.localGet, D, f32x4ExtractLane(2), op.localGet, D, f32x4ExtractLane(3), op.f32Add, op.f32Add);
  emit(op.f32Store, 2, 0);
  emit(op.localGet, OUT, op.i32Const, sleb(4), op.i32Add, op.localSet, OUT);
  emit(op.localGet, 0, op.i32Const, sleb(VECTOR_BYTES), op.i32Add, op.localTee, 0);
  emit(op.localGet, END, op.i32LtU, op.brIf, 0);
  emit(op.end); // loop
  emit(op.end); // block
  emit(op.end); // function

  // two local groups: 2 × i32, then 37 × v128
  const locals = [...uleb(2), ...uleb(2), I32, ...uleb(lanes + 5), V128];
  const fn = [...locals, ...body];

  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, [1, 0x60, 2, I32, I32, 0]), // type 0: (i32, i32) -> ()
    ...section(2, [1, ...str('e'), ...str('m'), 0x02, 0x00, 1]), // import memory e.m, min 1 page
    ...section(3, [1, 0]), // one function of type 0
    ...section(7, [1, ...str('d'), 0x00, 0]), // export it as "d"
    ...section(10, [1, ...uleb(fn.length), ...fn]),
  ]);
}

let compiled: WasmModule | null | undefined;

/** The compiled module, or null where WebAssembly SIMD is unavailable. */
function kernelModule(): WasmModule | null {
  if (compiled === undefined) {
    const bytes = buildKernelModule();
    compiled = wasm.validate(bytes) ? new wasm.Module(bytes) : null;
  }
  return compiled;
}

/** Whether the SIMD kernel can run here (always on Node ≥ 16.4). */
export function simdAvailable(): boolean {
  return kernelModule() !== null;
}

/** Binds the SIMD kernel to `memory`; re-bind after replacing the memory (growing in place keeps it valid). */
export function simdKernel(memory: WasmMemory): DistanceKernel {
  const mod = kernelModule();
  if (!mod) throw new Error('WebAssembly SIMD is not available');
  const instance = new wasm.Instance(mod, { e: { m: memory } });
  return instance.exports.d as DistanceKernel;
}

/** The same computation in scalar JS: fallback and reference for tests. */
export function scalarKernel(memory: { buffer: ArrayBufferLike }): DistanceKernel {
  return (ptr, n) => {
    const f = new Float32Array(memory.buffer);
    const q = QUERY_OFFSET / 4;
    let o = ptr / 4;
    let w = OUT_OFFSET / 4;
    for (let i = 0; i < n; i++, w++) {
      let a = 0;
      let b = 0;
      for (let j = 0; j < DIM; j += 2, o += 2) {
        const d0 = f[o] - f[q + j];
        const d1 = f[o + 1] - f[q + j + 1];
        a += d0 * d0;
        b += d1 * d1;
      }
      f[w] = a + b;
    }
  };
}
