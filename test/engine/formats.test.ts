/**
 * Image formats (issue 21): the engine reads WebP, GIF (its first frame) and
 * TIFF (its first page) as well as JPEG and PNG, under the same byte and
 * pixel limits; an engine told to take fewer formats (the rekognition
 * provider's JPEG and PNG) refuses the others before any decode. The
 * providers' own checks: src/images/image-format.ts (test below).
 */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaceEngine, type EngineError } from '../../dist/src/engine/index.js';
import { REKOGNITION_IMAGE_FORMATS, requireImageFormat } from '../../dist/src/images/image-format.js';
import { readPhoto } from '../support/photos.js';

const portrait = readPhoto('audrey', 0);
const grey = () => sharp({ create: { width: 320, height: 240, channels: 3, background: '#808080' } });
let engine: FaceEngine;
const images: Record<string, Buffer> = {};

beforeAll(async () => {
  engine = new FaceEngine({ workers: 1 });
  const face = await sharp(portrait).resize(320, 240, { fit: 'cover' }).png().toBuffer();
  const blank = await grey().png().toBuffer();
  Object.assign(images, {
    webp: await sharp(portrait).webp().toBuffer(),
    tiff: await sharp(portrait).tiff().toBuffer(),
    gif: await sharp(portrait).gif().toBuffer(),
    // Two frames: the face first, then grey; and the other way round.
    gifFaceFirst: await sharp([face, blank], { join: { animated: true } })
      .gif()
      .toBuffer(),
    gifGreyFirst: await sharp([blank, face], { join: { animated: true } })
      .gif()
      .toBuffer(),
  });
}, 60_000);
afterAll(() => engine?.close());

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => e as EngineError,
  );

describe('formats the local engine reads', () => {
  it('finds the face in a WebP, a TIFF and a GIF', async () => {
    for (const f of ['webp', 'tiff', 'gif']) {
      const r = await engine.detect(images[f]);
      expect(r.faces, f).toHaveLength(1);
    }
  });

  it('reads an animated GIF at its first frame only', async () => {
    const first = await engine.detect(images.gifFaceFirst);
    expect(first).toMatchObject({ imageWidth: 320, imageHeight: 240 });
    expect(first.faces).toHaveLength(1);
    expect((await engine.detect(images.gifGreyFirst)).faces).toHaveLength(0);
  });

  it('applies the pixel limit to every format', async () => {
    const small = new FaceEngine({ workers: 1, maxImagePixels: 10_000 });
    try {
      for (const f of ['webp', 'tiff', 'gif']) {
        const err = await refusal(small.detect(images[f]));
        expect(err?.code, f).toBe('INVALID_IMAGE');
        expect(err?.message, f).toMatch(/expected at most 10000 pixels/);
      }
      expect(small.liveWorkers).toBe(0);
    } finally {
      await small.close();
    }
  });

  it('refuses what it is told not to take, by magic number, before any worker starts', async () => {
    const jpegPng = new FaceEngine({ workers: 1, formats: ['jpeg', 'png'] });
    try {
      const err = await refusal(jpegPng.detect(images.webp));
      expect(err?.code).toBe('INVALID_IMAGE');
      expect(err?.message).toBe('expected a JPEG or PNG image, got WebP');
      expect(jpegPng.liveWorkers).toBe(0);
    } finally {
      await jpegPng.close();
    }
  });
});

describe('providers’ declared formats', () => {
  it('Rekognition’s: JPEG and PNG pass, WebP, GIF, TIFF and BMP are INVALID_IMAGE naming field and provider', async () => {
    expect(requireImageFormat('image', portrait, REKOGNITION_IMAGE_FORMATS, 'aws')).toBe('jpeg');
    for (const f of ['webp', 'gif', 'tiff']) {
      expect(() => requireImageFormat('image', images[f], REKOGNITION_IMAGE_FORMATS, 'aws'), f).toThrow(
        expect.objectContaining({ code: 'INVALID_IMAGE', details: { field: 'image', provider: 'aws' } }),
      );
    }
    expect(() => requireImageFormat('image', Buffer.from('BM\0\0\0\0'), REKOGNITION_IMAGE_FORMATS, 'aws')).toThrow(
      'image: expected a JPEG or PNG image for provider "aws", got BMP',
    );
  });

  it('Azure’s JPEG, PNG, GIF and BMP: BMP passes though the local engine cannot decode it', () => {
    expect(requireImageFormat('image', Buffer.from('BM\0\0\0\0'), ['jpeg', 'png', 'gif', 'bmp'], 'azure')).toBe('bmp');
  });
});
