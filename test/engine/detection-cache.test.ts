/**
 * The detection cache and optional networks: a detection made without
 * attributes never answers a call that asks for them; one made with more
 * answers a call asking for fewer, with only those. The inner engine is a
 * counting stand-in that fills exactly the attributes it is asked for.
 */
import { describe, expect, it } from 'vitest';
import { CachedEngine } from '../../dist/src/engine/detection-cache.js';
import type { DetectedFace, DetectionResult, DetectOptions, EngineAttribute, FaceEngineApi } from '../../dist/src/engine/types.js';

class CountingEngine implements FaceEngineApi {
  readonly modelVersion = 'counting-1';
  readonly queueDepth = 0;
  readonly attributes: ReadonlySet<EngineAttribute> = new Set(['age', 'gender', 'expressions']);
  /** The attribute sets of each inference, sorted. */
  readonly calls: string[][] = [];

  async detect(_image: Uint8Array, options: DetectOptions = {}): Promise<DetectionResult> {
    const asked = [...(options.attributes ?? [])].sort();
    this.calls.push(asked);
    const face: DetectedFace = {
      boundingBox: { left: 0.1, top: 0.1, width: 0.5, height: 0.5 },
      pixelWidth: 50,
      pixelHeight: 50,
      confidence: 99,
      descriptor: new Float32Array(128),
      landmarks: [],
      pose: { roll: 0, yaw: 0, pitch: 0 },
      quality: { brightness: 50, sharpness: 50 },
    };
    if (asked.length > 0) {
      face.attributes = {};
      if (asked.includes('age')) face.attributes.age = 30;
      if (asked.includes('gender')) face.attributes.gender = { value: 'female', probability: 0.9 };
    }
    return { imageWidth: 100, imageHeight: 100, faces: [face] };
  }

  async close(): Promise<void> {}
}

const scope = { group: 'local\0c', caller: 't' };
const image = new Uint8Array([1, 2, 3]);
const keys = (r: DetectionResult) => Object.keys(r.faces[0].attributes ?? {}).sort();

describe('CachedEngine with optional networks', () => {
  it('does not answer a call asking for attributes from a detection made without them', async () => {
    const inner = new CountingEngine();
    const cached = new CachedEngine(inner);
    expect(keys(await cached.detect(image, { scope }))).toEqual([]);
    expect(keys(await cached.detect(image, { scope, attributes: new Set(['age']) }))).toEqual(['age']);
    expect(inner.calls).toEqual([[], ['age']]);
  });

  it('answers fewer attributes from a detection that ran more, keeping only those asked for', async () => {
    const inner = new CountingEngine();
    const cached = new CachedEngine(inner);
    await cached.detect(image, { scope, attributes: new Set(['age', 'gender']) });
    expect(keys(await cached.detect(image, { scope, attributes: new Set(['gender']) }))).toEqual(['gender']);
    const plain = await cached.detect(image, { scope });
    expect(plain.faces[0].attributes).toBeUndefined();
    expect(inner.calls).toEqual([['age', 'gender']]);
  });

  it('upgrades an entry with both sets when a call asks for more', async () => {
    const inner = new CountingEngine();
    const cached = new CachedEngine(inner);
    await cached.detect(image, { scope, attributes: new Set(['age']) });
    expect(keys(await cached.detect(image, { scope, attributes: new Set(['gender']) }))).toEqual(['gender']);
    expect(keys(await cached.detect(image, { scope, attributes: new Set(['age', 'gender']) }))).toEqual(['age', 'gender']);
    expect(inner.calls).toEqual([['age'], ['age', 'gender']]);
    expect([...(cached.attributes ?? [])].sort()).toEqual(['age', 'expressions', 'gender']);
  });
});
