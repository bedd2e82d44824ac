/**
 * Shared helpers of the local-provider tests: the compiled modules under
 * test (dist/, built by `tsc -p tsconfig.build.json`), typed through their
 * sources, a temp data dir per file, and a fake engine whose detections are
 * fixed per image so association and search logic need no inference.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as LocalProviderModule from '../../src/datasources/local/local-provider.js';
import type * as ProviderModule from '../../src/domain/records.js';
import type * as SimilarityModule from '../../src/engine/similarity.js';
import type * as EngineTypesModule from '../../src/engine/types.js';
import type { DetectedFace, DetectionResult, FaceEngineApi } from '../../src/engine/types.js';
import type * as SqliteStoreModule from '../../src/store/sqlite/sqlite-store.js';

/** URL of a compiled module; a non-literal specifier so tsc does not look for its types. */
export const distUrl = (path: string): string => new URL(`../../dist/${path}`, import.meta.url).href;

export const { openSqliteStore, SqliteStore } = (await import(distUrl('src/store/sqlite/sqlite-store.js'))) as typeof SqliteStoreModule;
export const { LocalProvider } = (await import(distUrl('src/datasources/local/local-provider.js'))) as typeof LocalProviderModule;
export const { EngineError } = (await import(distUrl('src/engine/types.js'))) as typeof EngineTypesModule;
export const { similarity } = (await import(distUrl('src/engine/similarity.js'))) as typeof SimilarityModule;
export const { CAPABILITIES } = (await import(distUrl('src/domain/records.js'))) as typeof ProviderModule;

/** A fresh temp directory and its remover. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `facegate-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A 128-d descriptor for `person` (0..126): people sit ~0.99 apart
 * (similarity ≈ 0); variants of one person lie `Δvariant × 0.1` apart on the
 * last axis. With the engine's calibration at the time of writing: Δ1 → ≈ 100,
 * Δ4 → ≈ 98, Δ5 → ≈ 86, Δ6 → ≈ 45, Δ8 → ≈ 2 (tests compute exact values with
 * the engine's own `similarity`).
 */
export function descriptor(person: number, variant = 0): Float32Array {
  const d = new Float32Array(128);
  d[person] = 0.7;
  d[127] = variant * 0.1;
  return d;
}

/** A detected face of `person`; `px` is its side in pixels (boxes stay distinct per `slot`). */
export function face(person: number, opts: { variant?: number; px?: number; slot?: number; confidence?: number } = {}): DetectedFace {
  const px = opts.px ?? 120;
  const slot = opts.slot ?? 0;
  return {
    boundingBox: { left: (slot * 0.1) % 1, top: 0.1, width: px / 1000, height: px / 1000 },
    pixelWidth: px,
    pixelHeight: px,
    confidence: opts.confidence ?? 99.5,
    descriptor: descriptor(person, opts.variant ?? 0),
    landmarks: [
      { x: 0.6, y: 0.4 },
      { x: 0.4, y: 0.4 },
      { x: 0.5, y: 0.5 },
      { x: 0.6, y: 0.6 },
      { x: 0.4, y: 0.6 },
    ],
    pose: { roll: 0, yaw: 0, pitch: 0 },
    quality: { brightness: 50, sharpness: 90 },
  };
}

/** Engine stand-in: each registered image's bytes detect to fixed faces. */
export class FakeEngine implements FaceEngineApi {
  readonly modelVersion = 'fake-1.0';
  readonly queueDepth = 0;
  detectCalls = 0;
  /** When set, detect rejects with this instead. */
  failWith: Error | null = null;
  private readonly images = new Map<string, DetectionResult>();

  /** Registers an image (its bytes are the name) and returns those bytes. */
  image(name: string, faces: DetectedFace[]): Uint8Array {
    // Largest first, as the real engine returns them.
    const sorted = [...faces].sort((a, b) => b.pixelWidth * b.pixelHeight - a.pixelWidth * a.pixelHeight);
    this.images.set(name, { imageWidth: 1000, imageHeight: 1000, faces: sorted });
    return new TextEncoder().encode(name);
  }

  async detect(image: Uint8Array): Promise<DetectionResult> {
    this.detectCalls++;
    if (this.failWith) throw this.failWith;
    const result = this.images.get(new TextDecoder().decode(image));
    if (!result) throw new Error(`FakeEngine: expected a registered image, got ${image.byteLength} unknown bytes`);
    return { ...result, faces: result.faces.map((f) => ({ ...f, descriptor: f.descriptor.slice() })) };
  }

  async close(): Promise<void> {}
}
