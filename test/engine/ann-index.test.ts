/**
 * AnnIndex (HNSW over f16, usearch): add, replace, remove, search against
 * the exact VectorIndex, save and load; small sizes so it stays fast.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AnnIndex, VectorIndex, similarity } from '../../dist/src/engine/index.js';

/** Deterministic gaussian (LCG + Box–Muller) so failures reproduce. */
function gaussian(seed: number): () => number {
  let s = seed >>> 0;
  const u = (): number => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return (s + 1) / (2 ** 32 + 1);
  };
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

/** n faces, 5 an identity, spread like real descriptors (same person ~0.45 apart, others ~0.8). */
function faces(n: number, seed = 1): Float32Array[] {
  const g = gaussian(seed);
  const out: Float32Array[] = [];
  let centre = new Float32Array(128);
  for (let i = 0; i < n; i++) {
    if (i % 5 === 0) centre = Float32Array.from({ length: 128 }, () => 0.1 + 0.043 * g());
    out.push(Float32Array.from(centre, (c) => c + 0.028 * g()));
  }
  return out;
}

const dirs: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ann-test-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('AnnIndex', () => {
  it('finds what the exact index finds (recall@10 ≥ 0.99 on 2,000 faces), with similarities close to the exact ones', () => {
    const data = faces(2000);
    const ann = new AnnIndex();
    const exact = new VectorIndex();
    data.forEach((v, i) => {
      ann.add(`f${i}`, v);
      exact.add(`f${i}`, v);
    });
    expect(ann.size).toBe(2000);
    const queries = faces(250, 2);
    let hits = 0;
    for (const q of queries) {
      const truth = new Set(exact.search(q, 10).map((m) => m.id));
      const found = ann.search(q, 10);
      expect(found).toHaveLength(10);
      for (const m of found) {
        if (truth.has(m.id)) hits++;
        // f16: the similarity of the quantized vector is within 0.2 of the exact one.
        const stored = data[Number(m.id.slice(1))];
        expect(Math.abs(m.similarity - similarity(q, stored))).toBeLessThan(0.2);
      }
      for (let i = 1; i < found.length; i++) expect(found[i - 1].similarity).toBeGreaterThanOrEqual(found[i].similarity);
    }
    expect(hits / (queries.length * 10)).toBeGreaterThanOrEqual(0.99);
  });

  it('replaces, removes and reuses keys; a removed face is never returned', () => {
    const data = faces(200);
    const ann = new AnnIndex();
    data.forEach((v, i) => ann.add(`f${i}`, v));
    expect(ann.search(data[7], 1)[0].id).toBe('f7');

    expect(ann.remove('f7')).toBe(true);
    expect(ann.remove('f7')).toBe(false);
    expect(ann.has('f7')).toBe(false);
    expect(ann.size).toBe(199);
    expect(ann.search(data[7], 200).map((m) => m.id)).not.toContain('f7');

    // Another face takes the freed key; f8's vector moves under a new id.
    ann.add('g', data[8]);
    expect(ann.size).toBe(200);
    const top = ann.search(data[8], 2).map((m) => m.id);
    expect(new Set(top)).toEqual(new Set(['f8', 'g']));

    // Replacing f9's vector with f7's: f9 answers f7's query, not its own.
    ann.add('f9', data[7]);
    expect(ann.size).toBe(200);
    expect(ann.search(data[7], 1)[0]).toMatchObject({ id: 'f9', similarity: 100 });
    const f9 = ann.search(data[9], 200).find((m) => m.id === 'f9');
    expect(Math.abs((f9?.similarity ?? -1) - similarity(data[9], data[7]))).toBeLessThan(0.2);
  });

  it('applies minSimilarity and refuses vectors that are not 128 finite numbers', () => {
    const data = faces(50);
    const ann = new AnnIndex();
    ann.addMany(
      data.map((_, i) => `f${i}`),
      Float32Array.from(data.flatMap((v) => [...v])),
    );
    const strict = ann.search(data[0], 50, 90);
    expect(strict.length).toBeGreaterThan(0);
    expect(strict.every((m) => m.similarity >= 90)).toBe(true);
    expect(strict.length).toBeLessThan(ann.search(data[0], 50).length);
    expect(() => ann.add('x', new Float32Array(127))).toThrow(/128 values, got 127/);
    expect(() => ann.search(new Float32Array(128).fill(Number.NaN), 1)).toThrow(/not a finite number/);
    expect(() => ann.addMany(['f0'], data[1])).toThrow(/already held/);
  });

  it('saves atomically and loads to the same answers, with the mark it was saved with', () => {
    const data = faces(300);
    const ann = new AnnIndex();
    data.forEach((v, i) => ann.add(`f${i}`, v));
    ann.remove('f3');
    const dir = tempDir();
    const base = path.join(dir, 'c1');
    ann.save(base, { mark: 41 });
    ann.add('late', data[3]);
    ann.save(base, { mark: 42 });
    // The second save replaced the first generation's graph: one table, one graph, no temporaries.
    expect(readdirSync(dir).sort()).toEqual([expect.stringMatching(/^c1\.[0-9a-f-]+\.usearch$/), 'c1.json']);

    const { index, meta } = AnnIndex.load(base);
    expect(meta.mark).toBe(42);
    expect(index.size).toBe(300);
    expect(index.has('f3')).toBe(false);
    for (const q of [data[0], data[3], data[150]]) expect(index.search(q, 10)).toEqual(ann.search(q, 10));
    // A loaded index keeps taking adds and removes, reusing the free keys it was saved with.
    index.add('after-load', data[10]);
    expect(
      index
        .search(data[10], 2)
        .map((m) => m.id)
        .sort(),
    ).toEqual(['after-load', 'f10']);
  });

  it('refuses a missing, foreign or mismatched file', () => {
    const dir = tempDir();
    expect(() => AnnIndex.load(path.join(dir, 'none'))).toThrow(/ENOENT/);
    writeFileSync(path.join(dir, 'other.json'), JSON.stringify({ format: 'something-else' }));
    expect(() => AnnIndex.load(path.join(dir, 'other'))).toThrow(/expected a facegate-ann-1 index/);
    const ann = new AnnIndex({ connectivity: 8 });
    ann.add('a', faces(1)[0]);
    ann.save(path.join(dir, 'm8'), { mark: 1 });
    expect(() => AnnIndex.load(path.join(dir, 'm8'))).toThrow(/M=16, got facegate-ann-1 of f16, M=8/);
    expect(existsSync(path.join(dir, 'm8.json'))).toBe(true);
  });
});
