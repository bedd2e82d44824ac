/**
 * FaceEngine on real photos: identities, group photos, ordering, geometry,
 * EXIF orientation, no-face images. One engine for the file; every photo is
 * detected once in beforeAll and the results are shared by the tests.
 */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaceEngine, VectorIndex, similarity, type DetectedFace, type DetectionResult } from '../../dist/src/engine/index.js';
import { GROUP_PHOTOS, PHOTOS, readPhoto, type Identity } from '../support/photos.js';

let engine: FaceEngine;
const portraits = new Map<string, DetectionResult>(); // by path
const groups: DetectionResult[] = [];
let gradient: DetectionResult;
const oriented: Record<'upright' | 'exif8' | 'exif3' | 'exif6', DetectionResult> = {} as never;

/** The face of a one-face portrait. */
const face = (id: Identity, i = 0): DetectedFace => {
  const r = portraits.get(PHOTOS[id][i]);
  if (!r || r.faces.length === 0) throw new Error(`no face for ${id}[${i}]`);
  return r.faces[0];
};
const sim = (a: [Identity, number], b: [Identity, number]): number => similarity(face(...a).descriptor, face(...b).descriptor);

async function withOrientation(jpeg: Buffer, rotate: number, orientation: number): Promise<Buffer> {
  // Store the pixels turned by `rotate` and tag them so a viewer turns them back.
  const turned = await sharp(jpeg).rotate(rotate).jpeg({ quality: 95 }).toBuffer();
  return sharp(turned).withMetadata({ orientation }).jpeg({ quality: 95 }).toBuffer();
}

beforeAll(async () => {
  engine = new FaceEngine();
  expect(engine.started).toBe(false); // lazy: nothing runs until an image comes

  const upright = readPhoto('audrey', 0);
  const gradientPng = await sharp(Buffer.from(Array.from({ length: 320 * 240 * 3 }, (_, i) => Math.floor((i % (320 * 3)) / 3.75))), {
    raw: { width: 320, height: 240, channels: 3 },
  })
    .png()
    .toBuffer();
  const [exif8, exif3, exif6] = await Promise.all([
    withOrientation(upright, 90, 8),
    withOrientation(upright, 180, 3),
    withOrientation(upright, 270, 6),
  ]);

  const paths = (Object.values(PHOTOS) as readonly (readonly string[])[]).flat();
  // All 40 at once: within workers + maxQueue (2 + 64), the engine queues them.
  const [portraitResults, groupResults, extra] = await Promise.all([
    Promise.all(paths.map((p) => engine.detect(readPhoto(p)))),
    Promise.all(GROUP_PHOTOS.map((g) => engine.detect(readPhoto(g.path)))),
    Promise.all([upright, exif8, exif3, exif6, gradientPng].map((b) => engine.detect(b))),
  ]);
  paths.forEach((p, i) => portraits.set(p, portraitResults[i]));
  groups.push(...groupResults);
  [oriented.upright, oriented.exif8, oriented.exif3, oriented.exif6, gradient] = extra;
}, 180_000);

afterAll(async () => {
  await engine?.close();
});

describe('FaceEngine on portraits', () => {
  it('finds the one face of every portrait, largest first, with a 128-d descriptor', () => {
    for (const [p, r] of portraits) {
      // kim1_crop.jpg: the detector also takes an earring (22×31 px) for a face at 64 %.
      expect(r.faces, p).toHaveLength(p.endsWith('kim1_crop.jpg') ? 2 : 1);
      expect(r.faces[0].boundingBox.width).toBeGreaterThan(0.2); // portraits: the face is the subject
      expect(r.faces[0].descriptor).toHaveLength(128);
      expect(r.faces[0].confidence).toBeGreaterThan(80);
      expect(r.faces[0].confidence).toBeLessThanOrEqual(100);
    }
  });

  it('scores the same person ≥ 80', () => {
    const franck = PHOTOS.franck.map((_, i) => i);
    for (const i of franck) for (const j of franck) if (i < j) expect(sim(['franck', i], ['franck', j])).toBeGreaterThanOrEqual(80);
    for (const id of ['audrey', 'cage', 'bieber', 'sean', 'joconde'] as const) {
      expect(sim([id, 0], [id, 1]), id).toBeGreaterThanOrEqual(80);
    }
  });

  it('scores different people < 80, including the closest pairs measured', () => {
    expect(sim(['cage', 0], ['obama', 0])).toBeLessThan(80); // distance 0.536, the closest
    expect(sim(['clooney', 0], ['franck', 5])).toBeLessThan(80); // 0.543
    expect(sim(['chuck', 0], ['terminator', 0])).toBeLessThan(80);
    const ids = Object.keys(PHOTOS) as Identity[];
    for (const a of ids) for (const b of ids) if (a < b) expect(sim([a, 0], [b, 0]), `${a}/${b}`).toBeLessThan(80);
  });

  it('1:N search over all portrait faces returns only the same person above 80', () => {
    const index = new VectorIndex();
    for (const [id, paths] of Object.entries(PHOTOS)) paths.forEach((_, i) => index.add(`${id}#${i}`, face(id as Identity, i).descriptor));
    for (const id of ['franck', 'cage', 'audrey'] as const) {
      const hits = index.search(face(id, 1).descriptor, 20, 80);
      expect(hits[0]).toEqual({ id: `${id}#1`, similarity: 100 });
      expect(hits.length).toBe(PHOTOS[id].length);
      for (const h of hits) expect(h.id.startsWith(`${id}#`)).toBe(true);
    }
  });
});

describe('FaceEngine on group photos', () => {
  it('finds every face in each photo (22 in total)', () => {
    expect(groups.map((g) => g.faces.length)).toEqual(GROUP_PHOTOS.map((g) => g.faces));
    expect(groups.reduce((n, g) => n + g.faces.length, 0)).toBe(22);
  });

  it('returns the largest face first and boxes inside the image', () => {
    for (const g of groups) {
      const areas = g.faces.map((f) => f.pixelWidth * f.pixelHeight);
      expect(areas).toEqual([...areas].sort((a, b) => b - a));
      for (const f of g.faces) {
        const { left, top, width, height } = f.boundingBox;
        for (const v of [left, top, width, height]) expect(v).toBeGreaterThanOrEqual(0);
        expect(left + width).toBeLessThanOrEqual(1 + 1e-9);
        expect(top + height).toBeLessThanOrEqual(1 + 1e-9);
        expect(f.pixelWidth).toBe(Math.round(width * g.imageWidth));
        expect(f.pixelHeight).toBe(Math.round(height * g.imageHeight));
      }
    }
    expect(groups[0]).toMatchObject({ imageWidth: 1920, imageHeight: 1280 });
  });

  it('tells the 22 people apart at threshold 80 except for the known low-quality look-alikes', () => {
    const all = groups.flatMap((g) => g.faces);
    let accepted = 0;
    for (let i = 0; i < all.length; i++)
      for (let j = i + 1; j < all.length; j++) if (similarity(all[i].descriptor, all[j].descriptor) >= 80) accepted++;
    // Calibration (src/engine/similarity.ts): 5 of 231 pairs fall within distance 0.55.
    expect(accepted).toBeLessThanOrEqual(5);
  });
});

describe('FaceEngine geometry', () => {
  it('honours EXIF orientation: a rotated, tagged photo gives the upright box', () => {
    const base = oriented.upright;
    expect(base.faces).toHaveLength(1);
    for (const r of [oriented.exif8, oriented.exif3, oriented.exif6]) {
      expect(r).toMatchObject({ imageWidth: base.imageWidth, imageHeight: base.imageHeight });
      expect(r.faces).toHaveLength(1);
      const a = base.faces[0].boundingBox;
      const b = r.faces[0].boundingBox;
      for (const k of ['left', 'top', 'width', 'height'] as const) expect(Math.abs(a[k] - b[k])).toBeLessThan(0.03);
      expect(similarity(base.faces[0].descriptor, r.faces[0].descriptor)).toBeGreaterThan(95);
    }
  });

  it('finds no face in a plain gradient', () => {
    expect(gradient).toEqual({ imageWidth: 320, imageHeight: 240, faces: [] });
  });

  it('reports the model version and an empty queue when idle', () => {
    expect(engine.modelVersion).toBe('face-api-1.7.15/ssd_mobilenetv1+faceRecognitionNet');
    expect(engine.queueDepth).toBe(0);
    expect(engine.started).toBe(true);
    // The five nets' weights and the two quality kernels (402): nothing leaked.
    for (const s of engine.workerStats()) expect(s.tensors).toBeLessThanOrEqual(402);
  });
});
