/**
 * Similarity mapping and VectorIndex, without inference: fast and exhaustive
 * against a brute-force reference.
 */
import { describe, expect, it } from 'vitest';
import {
  MATCH_DISTANCE,
  VectorIndex,
  distanceToSimilarity,
  euclideanDistance,
  similarity,
  similarityToDistance,
} from '../../dist/src/engine/index.js';

/** Deterministic PRNG so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Random vectors with the scale of real descriptors (norm ≈ 1.4, pairwise distance ≈ 0.5–1.2). */
function randomDescriptors(n: number, seed = 1): Float32Array[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => {
    const v = new Float32Array(128);
    for (let i = 0; i < 128; i++) v[i] = (r() - 0.5) * 0.25;
    return v;
  });
}

/** A vector at exactly `distance` from `v`. */
function near(v: Float32Array, distance: number, seed: number): Float32Array {
  const r = rng(seed);
  const dir = Float32Array.from({ length: 128 }, () => r() - 0.5);
  const norm = Math.hypot(...dir);
  return Float32Array.from(v, (x, i) => x + (dir[i] / norm) * distance);
}

function bruteForce(entries: Map<string, Float32Array>, q: Float32Array, k: number, min = 0) {
  return [...entries]
    .map(([id, v]) => ({ id, similarity: similarity(q, v) }))
    .filter((h) => h.similarity >= min)
    .sort((a, b) => b.similarity - a.similarity)
    .slice(0, k);
}

describe('distanceToSimilarity', () => {
  it('maps the calibrated threshold distance to 80 and is strictly decreasing on 0..2', () => {
    expect(distanceToSimilarity(0)).toBe(100);
    expect(distanceToSimilarity(MATCH_DISTANCE)).toBeCloseTo(80, 2);
    expect(distanceToSimilarity(MATCH_DISTANCE)).toBeGreaterThanOrEqual(80);
    let prev = Infinity;
    for (let d = 0.001; d <= 2; d += 0.001) {
      const s = distanceToSimilarity(d);
      expect(s).toBeLessThan(prev);
      expect(s).toBeGreaterThanOrEqual(0);
      prev = s;
    }
    expect(distanceToSimilarity(1.2)).toBeLessThan(0.01);
    expect(distanceToSimilarity(Number.NaN)).toBe(0);
  });

  it('is inverted by similarityToDistance', () => {
    for (const s of [1, 10, 50, 80, 90, 95, 99, 99.9]) {
      expect(distanceToSimilarity(similarityToDistance(s))).toBeCloseTo(s, 6);
    }
    expect(similarityToDistance(0)).toBe(Infinity);
    expect(similarityToDistance(100)).toBe(0);
  });

  it('similarity() is symmetric, 100 for identical descriptors, and rejects length mismatches', () => {
    const [a, b] = randomDescriptors(2);
    expect(similarity(a, a)).toBe(100);
    expect(similarity(a, b)).toBe(similarity(b, a));
    expect(euclideanDistance(a, near(a, 0.3, 7))).toBeCloseTo(0.3, 5);
    expect(() => similarity(a, new Float32Array(64))).toThrow(RangeError);
  });
});

describe('VectorIndex', () => {
  it('finds exactly what brute force finds, with or without SIMD and with thresholds', () => {
    const vectors = randomDescriptors(3000, 42);
    const entries = new Map(vectors.map((v, i) => [`face-${i}`, v]));
    const simd = new VectorIndex({ initialCapacity: 16 });
    const scalar = new VectorIndex({ initialCapacity: 16, simd: false });
    for (const [id, v] of entries) {
      simd.add(id, v);
      scalar.add(id, v);
    }
    expect(simd.size).toBe(3000);
    const queries = [...randomDescriptors(10, 99), near(vectors[5], 0.2, 1), near(vectors[2999], 0.45, 2)];
    for (const q of queries) {
      const expected = bruteForce(entries, q, 7);
      expect(simd.search(q, 7)).toEqual(expected);
      expect(scalar.search(q, 7)).toEqual(expected);
      expect(simd.search(q, 50, 80)).toEqual(bruteForce(entries, q, 50, 80));
    }
    const hit = simd.search(near(vectors[5], 0.2, 1), 3, 80);
    expect(hit).toHaveLength(1);
    expect(hit[0].id).toBe('face-5');
    expect(hit[0].similarity).toBeGreaterThan(99);
  });

  it('replaces on add with an existing id and swap-removes in O(1) without losing others', () => {
    const vectors = randomDescriptors(200, 3);
    const index = new VectorIndex({ initialCapacity: 8 });
    const live = new Map<string, Float32Array>();
    vectors.forEach((v, i) => {
      index.add(`f${i}`, v);
      live.set(`f${i}`, v);
    });
    // replace
    index.add('f10', vectors[150]);
    live.set('f10', vectors[150]);
    expect(index.size).toBe(200);
    expect(index.get('f10')).toEqual(vectors[150]);
    // remove every third, including the first and the last slot
    for (let i = 0; i < 200; i += 3) {
      expect(index.remove(`f${i}`)).toBe(true);
      live.delete(`f${i}`);
    }
    expect(index.remove('f0')).toBe(false);
    expect(index.remove('nope')).toBe(false);
    expect(index.remove(`f199`)).toBe(true);
    live.delete('f199');
    expect(index.size).toBe(live.size);
    expect(index.has('f3')).toBe(false);
    expect(index.has('f4')).toBe(true);
    expect(new Set(index.keys())).toEqual(new Set(live.keys()));
    for (const [id, v] of live) expect(index.get(id)).toEqual(v);
    for (const q of randomDescriptors(5, 11)) expect(index.search(q, 10)).toEqual(bruteForce(live, q, 10));
  });

  it('shrinks after mass deletes and keeps working', () => {
    const vectors = randomDescriptors(5000, 5);
    const index = new VectorIndex({ initialCapacity: 64 });
    vectors.forEach((v, i) => index.add(`f${i}`, v));
    const full = index.bytes;
    for (let i = 0; i < 4990; i++) index.remove(`f${i}`);
    expect(index.bytes).toBeLessThan(full / 4);
    expect(index.search(vectors[4995], 1)).toEqual([{ id: 'f4995', similarity: 100 }]);
    index.clear();
    expect(index.size).toBe(0);
    expect(index.search(vectors[0], 5)).toEqual([]);
  });

  it('handles k edge cases and rejects malformed vectors', () => {
    const index = new VectorIndex();
    expect(index.search(new Float32Array(128), 5)).toEqual([]);
    const [a, b] = randomDescriptors(2, 8);
    index.add('a', a);
    index.add('b', b);
    expect(index.search(a, 0)).toEqual([]);
    expect(index.search(a, 10).map((h) => h.id)).toEqual(['a', 'b']);
    expect(() => index.add('x', new Float32Array(127))).toThrow(RangeError);
    expect(() => index.add('x', new Float32Array(128).fill(Number.NaN))).toThrow(RangeError);
    expect(() => index.search(new Float32Array(3), 1)).toThrow(RangeError);
    expect(index.has('x')).toBe(false);
  });

  it('stays within 80 MB for 100k faces and searches them exactly', () => {
    const index = new VectorIndex();
    const r = rng(77);
    const v = new Float32Array(128);
    let target: Float32Array | undefined;
    for (let i = 0; i < 100_000; i++) {
      for (let j = 0; j < 128; j++) v[j] = (r() - 0.5) * 0.25;
      index.add(`00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, v);
      if (i === 54_321) target = v.slice();
    }
    expect(index.bytes).toBeLessThanOrEqual(80 * 1024 * 1024);
    const hits = index.search(near(target as Float32Array, 0.1, 4), 3);
    expect(hits[0]).toMatchObject({ id: '00000000-0000-4000-8000-000000054321' });
    expect(hits[0].similarity).toBeGreaterThan(99.9);
  });
});
