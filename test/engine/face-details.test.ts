/**
 * What the engine says of each face besides box and descriptor (issue 21):
 * every face of the tight crops and of the scenes found, the crops told
 * apart at 80, five landmarks, a pose from them, quality measures, and the
 * optional networks only when asked for. One engine (one worker) for the
 * file; each image is detected once in beforeAll.
 */
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaceEngine, similarity, type DetectedFace, type DetectionResult } from '../../dist/src/engine/index.js';
import { CROPS, EXPRESSIONS, expressionPath, scenePath, type Expression } from '../support/face-fixtures.js';
import { readPhoto } from '../support/photos.js';

/** Faces in bbt1..bbt5, counted by eye: every clearly visible face (bbt2's third is the man with glasses cut by the left edge). */
const SCENE_FACES = [4, 3, 5, 6, 5];

let engine: FaceEngine;
let crops: DetectionResult[];
let scenes: DetectionResult[];
let expressions: DetectionResult[];
const portrait = readPhoto('audrey', 0);
const variants: Record<'plain' | 'tilted' | 'mirrored' | 'blurred' | 'dark', DetectedFace> = {} as never;

beforeAll(async () => {
  engine = new FaceEngine({ workers: 1 });
  crops = await Promise.all(CROPS.map((c) => engine.detect(readFileSync(c.path))));
  scenes = await Promise.all([1, 2, 3, 4, 5].map((n) => engine.detect(readFileSync(scenePath(n)))));
  const all = new Set(['age', 'gender', 'expressions'] as const);
  expressions = await Promise.all(EXPRESSIONS.map((e) => engine.detect(readFileSync(expressionPath(e)), { attributes: all })));
  const images = {
    plain: portrait,
    // Turned 20° clockwise (sharp's positive angle), on grey so the corners add no edges.
    tilted: await sharp(portrait).rotate(20, { background: '#808080' }).jpeg().toBuffer(),
    mirrored: await sharp(portrait).flop().jpeg().toBuffer(),
    blurred: await sharp(portrait).blur(6).jpeg().toBuffer(),
    dark: await sharp(portrait).linear(0.3, 0).jpeg().toBuffer(),
  };
  for (const [k, bytes] of Object.entries(images)) {
    const r = await engine.detect(bytes);
    expect(r.faces, k).toHaveLength(1);
    variants[k as keyof typeof variants] = r.faces[0];
  }
}, 600_000);

afterAll(async () => {
  await engine?.close();
});

describe('detection', () => {
  it('finds the face in every one of the 40 tight crops (6 of 40 before the padded second pass)', () => {
    expect(crops.map((r) => r.faces.length)).toEqual(CROPS.map(() => 1));
  });

  it('finds every clearly visible face of the scenes, and nothing else', () => {
    expect(scenes.map((r) => r.faces.length)).toEqual(SCENE_FACES);
  });

  it('puts at most 1 % of the 780 crop pairs on the wrong side of 80, with no false accept', () => {
    let falseAccepts = 0;
    let falseRejects = 0;
    let pairs = 0;
    for (let i = 0; i < CROPS.length; i++) {
      for (let j = i + 1; j < CROPS.length; j++) {
        pairs++;
        const s = similarity(crops[i].faces[0].descriptor, crops[j].faces[0].descriptor);
        if (CROPS[i].person === CROPS[j].person) falseRejects += s < 80 ? 1 : 0;
        else falseAccepts += s >= 80 ? 1 : 0;
      }
    }
    expect(pairs).toBe(780);
    expect(falseAccepts).toBe(0);
    expect(falseAccepts + falseRejects).toBeLessThanOrEqual(7);
  });
});

describe('landmarks, pose and quality', () => {
  it('gives five landmarks inside the face box: the subject’s left eye on the image’s right, nose between, mouth below', () => {
    const f = variants.plain;
    expect(f.landmarks).toHaveLength(5);
    const [leftEye, rightEye, nose, mouthLeft, mouthRight] = f.landmarks;
    const b = f.boundingBox;
    for (const p of f.landmarks) {
      expect(p.x).toBeGreaterThan(b.left);
      expect(p.x).toBeLessThan(b.left + b.width);
      expect(p.y).toBeGreaterThan(b.top);
      expect(p.y).toBeLessThan(b.top + b.height);
    }
    expect(leftEye.x).toBeGreaterThan(rightEye.x);
    expect(mouthLeft.x).toBeGreaterThan(mouthRight.x);
    expect(nose.x).toBeGreaterThan(rightEye.x);
    expect(nose.x).toBeLessThan(leftEye.x);
    expect(nose.y).toBeGreaterThan(Math.max(leftEye.y, rightEye.y));
    expect(Math.min(mouthLeft.y, mouthRight.y)).toBeGreaterThan(nose.y);
  });

  it('reads roll from the eye line: a photo turned 20° clockwise rolls by about +20°', () => {
    expect(variants.tilted.pose.roll - variants.plain.pose.roll).toBeGreaterThan(14);
    expect(variants.tilted.pose.roll - variants.plain.pose.roll).toBeLessThan(26);
  });

  it('mirrors yaw and roll when the photo is mirrored, and keeps pitch', () => {
    const { plain, mirrored } = variants;
    expect(Math.abs(plain.pose.yaw + mirrored.pose.yaw)).toBeLessThan(8);
    expect(Math.abs(plain.pose.roll + mirrored.pose.roll)).toBeLessThan(3);
    expect(Math.abs(plain.pose.pitch - mirrored.pose.pitch)).toBeLessThan(4);
  });

  it('scores a blurred copy less sharp and a darkened copy less bright', () => {
    const { plain, blurred, dark } = variants;
    for (const f of [plain, blurred, dark]) {
      expect(f.quality.brightness).toBeGreaterThanOrEqual(0);
      expect(f.quality.sharpness).toBeLessThanOrEqual(100);
    }
    expect(blurred.quality.sharpness).toBeLessThan(plain.quality.sharpness - 30);
    expect(dark.quality.brightness).toBeLessThan(plain.quality.brightness * 0.5);
    expect(Math.abs(blurred.quality.brightness - plain.quality.brightness)).toBeLessThan(10);
  });
});

describe('optional networks', () => {
  it('lists what it has and runs none unless asked', () => {
    expect([...(engine.attributes ?? [])].sort()).toEqual(['age', 'expressions', 'gender']);
    expect(variants.plain.attributes).toBeUndefined();
    expect(crops.every((r) => r.faces.every((f) => f.attributes === undefined))).toBe(true);
  });

  it('names the labelled expression first for at least 6 of the 7 expression photos', () => {
    const top = expressions.map((r) => {
      const e: Record<string, number> = r.faces[0].attributes?.expressions ?? {};
      return Object.entries(e).sort((a, b) => b[1] - a[1])[0]?.[0];
    });
    const right = EXPRESSIONS.filter((e: Expression, i) => top[i] === e);
    expect(right.length, `top expressions: ${top.join(', ')}`).toBeGreaterThanOrEqual(6);
  });

  it('gives age and gender when asked, and only what was asked', async () => {
    const happy = expressions[EXPRESSIONS.indexOf('happy')].faces[0].attributes;
    expect(happy?.age).toBeGreaterThan(15);
    expect(happy?.age).toBeLessThan(70);
    expect(happy?.gender?.value).toMatch(/^(male|female)$/);
    const onlyAge = await engine.detect(readFileSync(expressionPath('happy')), { attributes: new Set(['age'] as const) });
    expect(Object.keys(onlyAge.faces[0].attributes ?? {})).toEqual(['age']);
  });
});
