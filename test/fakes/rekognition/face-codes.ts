/**
 * Faces the fake can see in a crop. A face declared in a PNG's text chunk
 * is lost when a client crops the image (sharp, like most encoders, drops
 * text chunks), yet the real service still sees the face in any crop that
 * holds it; identify-style clients (detect, crop each face, search each
 * crop) depend on that. So {@link fakePng} also paints each declared face's
 * box with a code: a repeating 6×6 tile whose first pixel is 255 (the sync
 * mark) and whose next 32 pixels are the 32 hex digits of the face's code
 * (16 + 14 × digit, never 0 or 255), the rest 8. The background is 0.
 *
 * Reading (only for a PNG without a declaration or faces chunk): the
 * pixels are decoded (8-bit, any colour type but palette, no interlace —
 * what fakePng and sharp write), each 4-connected run of non-zero pixels
 * is a candidate face whose box is the run's bounding box, and a candidate
 * is a face when one whole tile inside it decodes to a code the fake has
 * seen in an image's faces chunk. A face cut so that no whole tile is left
 * is not seen, as a real detector misses a face cut by the frame.
 */
import { createHash } from 'node:crypto';
import { inflateSync } from 'node:zlib';

const TILE = 6;
const SYNC = 255;
const FILLER = 8;
const DIGITS = 32;

/** The code of face `index` of a fakePng: from its label and the face as declared (what both fakePng and the fake can compute). */
export function faceCode(label: string | undefined, index: number, face: unknown): string {
  return createHash('sha256')
    .update(`${label ?? ''}\0${index}\0${JSON.stringify(face)}`)
    .digest('hex')
    .slice(0, DIGITS);
}

/** The tile pixel at (dx, dy) of a face with `code`. */
function tilePixel(code: string, dx: number, dy: number): number {
  const i = dy * TILE + dx;
  if (i === 0) return SYNC;
  if (i <= DIGITS) return 16 + 14 * parseInt(code[i - 1], 16);
  return FILLER;
}

/** Paints `code` over a pixel box of a greyscale raster (`width` pixels a row, no filter bytes). */
export function paintCode(raster: Buffer, width: number, box: { x: number; y: number; w: number; h: number }, code: string): void {
  for (let y = box.y; y < box.y + box.h; y++) {
    for (let x = box.x; x < box.x + box.w; x++) raster[y * width + x] = tilePixel(code, (x - box.x) % TILE, (y - box.y) % TILE);
  }
}

/** A coded face found in pixels: its code and its box in pixels. */
export interface CodedRegion {
  code: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

/** The first channel of every pixel of a PNG; null when the PNG is not one this reader handles. */
export function pngGrey(buf: Buffer): { width: number; height: number; grey: Uint8Array } | null {
  let offset = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (offset + 12 <= buf.length) {
    const length = buf.readUInt32BE(offset);
    const type = buf.toString('latin1', offset + 4, offset + 8);
    const data = buf.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const [depth, colour, , , interlace] = [data[8], data[9], data[10], data[11], data[12]];
      channels = ({ 0: 1, 4: 2, 2: 3, 6: 4 } as Record<number, number>)[colour] ?? 0;
      if (depth !== 8 || channels === 0 || interlace !== 0) return null;
    } else if (type === 'IDAT') {
      idat.push(data);
    } else if (type === 'IEND') {
      break;
    }
    offset += 12 + length;
  }
  if (width === 0 || idat.length === 0) return null;
  let raw: Buffer;
  try {
    raw = inflateSync(Buffer.concat(idat));
  } catch {
    return null;
  }
  const stride = width * channels;
  if (raw.length < (stride + 1) * height) return null;
  const out = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const cur = out.subarray(y * stride, (y + 1) * stride);
    const prev = y > 0 ? out.subarray((y - 1) * stride, y * stride) : Buffer.alloc(stride);
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? cur[i - channels] : 0;
      const b = prev[i];
      const c = i >= channels ? prev[i - channels] : 0;
      let v = line[i];
      if (filter === 1) v += a;
      else if (filter === 2) v += b;
      else if (filter === 3) v += (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else if (filter !== 0) return null;
      cur[i] = v & 0xff;
    }
  }
  const grey = new Uint8Array(width * height);
  for (let i = 0; i < grey.length; i++) grey[i] = out[i * channels];
  return { width, height, grey };
}

/** The coded faces of a greyscale raster (see the module comment). */
export function findCodedRegions(width: number, height: number, grey: Uint8Array): CodedRegion[] {
  const seen = new Uint8Array(width * height);
  const regions: CodedRegion[] = [];
  const stack: number[] = [];
  for (let start = 0; start < grey.length; start++) {
    if (grey[start] === 0 || seen[start]) continue;
    let [x0, y0, x1, y1] = [width, height, -1, -1];
    stack.push(start);
    seen[start] = 1;
    const syncs: number[] = [];
    while (stack.length > 0) {
      const p = stack.pop() as number;
      const x = p % width;
      const y = (p - x) / width;
      if (grey[p] === SYNC) syncs.push(p);
      x0 = Math.min(x0, x);
      y0 = Math.min(y0, y);
      x1 = Math.max(x1, x);
      y1 = Math.max(y1, y);
      for (const q of [x > 0 ? p - 1 : -1, x < width - 1 ? p + 1 : -1, y > 0 ? p - width : -1, y < height - 1 ? p + width : -1]) {
        if (q >= 0 && !seen[q] && grey[q] !== 0) {
          seen[q] = 1;
          stack.push(q);
        }
      }
    }
    const code = syncs.map((p) => readTile(width, grey, p, x1, y1)).find((c) => c !== null);
    if (code) regions.push({ code, x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1 });
  }
  return regions;
}

/** The code of the whole tile at `p`; null when it does not fit in the region or is not a tile. */
function readTile(width: number, grey: Uint8Array, p: number, x1: number, y1: number): string | null {
  const x = p % width;
  const y = (p - x) / width;
  if (x + TILE - 1 > x1 || y + TILE - 1 > y1) return null;
  let code = '';
  for (let i = 1; i <= DIGITS; i++) {
    const v = grey[(y + Math.floor(i / TILE)) * width + x + (i % TILE)];
    const digit = (v - 16) / 14;
    if (!Number.isInteger(digit) || digit < 0 || digit > 15) return null;
    code += digit.toString(16);
  }
  return code;
}
