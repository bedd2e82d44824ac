/**
 * `facegate detect | compare | identify`: the face operations from a
 * terminal. Each reads its images from files, calls the gateway once and
 * prints a table (on a terminal, or `--format table`) or the operation's
 * success value as JSON (`--json`, or when stdout is not a terminal);
 * `--annotate out.png` also draws the faces on the image. An error value
 * (InvalidImage, CollectionNotFound…) ends the command with exit code 1.
 */
import { readFile } from 'node:fs/promises';
import { annotateImage, type Annotation } from './annotate.js';
import { accepted, CliError, type GatewayClient } from './client.js';
import { boxCell, formatTable } from './table.js';

/** How a command prints its answer. */
export type OutputFormat = 'table' | 'json';

export interface FaceCommandOptions {
  provider: string;
  format: OutputFormat;
  /** identify: the collection searched. */
  collectionId?: string;
  /** compare: similarityThreshold; identify: userMatchThreshold. @default the API's (80) */
  threshold?: number;
  /** detect: FaceAttribute names. @default the API's ([DEFAULT]) */
  attributes?: string[];
  /** identify: maxFaces. @default the API's (10) */
  maxFaces?: number;
  /** Write the image with its faces drawn on it here (PNG). */
  annotate?: string;
}

interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}
interface FaceDetail {
  boundingBox: Box;
  confidence: number;
  pose: { roll: number; yaw: number; pitch: number } | null;
  quality: { brightness: number | null; sharpness: number | null; forRecognition: string } | null;
  ageRange: { low: number; high: number } | null;
  gender: { value: string; confidence: number } | null;
  emotions: { type: string; confidence: number }[] | null;
}
type ErrorValue = { __typename: string; code?: string; message?: string };

const FACE = `boundingBox { left top width height } confidence pose { roll yaw pitch } quality { brightness sharpness forRecognition }
  ageRange { low high } gender { value confidence } emotions { type confidence }`;
const ERROR = `... on Error { code message }`;

const DETECT = `query($input: DetectFacesInput!) { detectFaces(input: $input) {
  __typename ... on DetectFacesSuccess { faces { ${FACE} } } ${ERROR} } }`;
const COMPARE = `query($input: CompareFacesInput!) { compareFaces(input: $input) {
  __typename ... on CompareFacesSuccess { sourceFace { ${FACE} } faceMatches { similarity face { ${FACE} } } unmatchedFaces { ${FACE} } } ${ERROR} } }`;
const IDENTIFY = `query($input: IdentifyFacesInput!) { identifyFaces(input: $input) {
  __typename ... on IdentifyFacesSuccess { faces { face { ${FACE} } userMatches { similarity user { userId } } } unsearchedFaces { ${FACE} } } ${ERROR} } }`;

const base64Of = async (file: string): Promise<{ bytes: Buffer; image: { base64: string } }> => {
  const bytes = await readFile(file).catch(() => {
    throw new CliError(`${file}: expected a readable image file, got none at that path`);
  });
  return { bytes, image: { base64: bytes.toString('base64') } };
};

/** Only the options the caller gave, so the API's defaults apply to the rest. */
const defined = (o: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

const pct = (n: number | null | undefined): string => (n === null || n === undefined ? '-' : n.toFixed(1));
const attributesCell = (f: FaceDetail): string =>
  [
    f.ageRange ? `age ${f.ageRange.low}-${f.ageRange.high}` : '',
    f.gender ? f.gender.value.toLowerCase() : '',
    f.emotions?.[0] ? f.emotions[0].type.toLowerCase() : '',
  ]
    .filter(Boolean)
    .join(' ') || '-';

function print(format: OutputFormat, json: unknown, table: () => string): void {
  console.log(format === 'json' ? JSON.stringify(json) : table());
}

/** `facegate detect <image>`. */
export async function detect(client: GatewayClient, file: string, o: FaceCommandOptions): Promise<number> {
  const { bytes, image } = await base64Of(file);
  const data = await client.call<{ detectFaces: ErrorValue & { faces: FaceDetail[] } }>(DETECT, {
    input: defined({ provider: o.provider, image, attributes: o.attributes }),
  });
  const { faces } = accepted(data.detectFaces, 'DetectFacesSuccess');
  print(o.format, { faces }, () =>
    formatTable(
      ['#', 'box (x,y wxh)', 'confidence', 'roll/yaw/pitch', 'quality', 'attributes'],
      faces.map((f, i) => [
        String(i + 1),
        boxCell(f.boundingBox),
        pct(f.confidence),
        f.pose ? `${f.pose.roll.toFixed(0)}/${f.pose.yaw.toFixed(0)}/${f.pose.pitch.toFixed(0)}` : '-',
        f.quality?.forRecognition ?? '-',
        attributesCell(f),
      ]),
    ),
  );
  if (o.annotate) {
    await annotateImage(
      bytes,
      faces.map((f, i) => ({ box: f.boundingBox, label: `${i + 1}: ${pct(f.confidence)}%`, matched: true })),
      o.annotate,
    );
  }
  return 0;
}

/** `facegate compare <source> <target>`. */
export async function compare(client: GatewayClient, source: string, target: string, o: FaceCommandOptions): Promise<number> {
  const [a, b] = await Promise.all([base64Of(source), base64Of(target)]);
  type Success = { sourceFace: FaceDetail; faceMatches: { similarity: number; face: FaceDetail }[]; unmatchedFaces: FaceDetail[] };
  const data = await client.call<{ compareFaces: ErrorValue & Success }>(COMPARE, {
    input: defined({ provider: o.provider, sourceImage: a.image, targetImage: b.image, similarityThreshold: o.threshold }),
  });
  const { sourceFace, faceMatches, unmatchedFaces } = accepted(data.compareFaces, 'CompareFacesSuccess');
  print(o.format, { sourceFace, faceMatches, unmatchedFaces }, () =>
    formatTable(
      ['target face', 'box (x,y wxh)', 'similarity', 'match'],
      [
        ...faceMatches.map((m) => [m.face.boundingBox, pct(m.similarity), 'yes'] as const),
        ...unmatchedFaces.map((f) => [f.boundingBox, '-', 'no'] as const),
      ].map(([box, similarity, match], i) => [String(i + 1), boxCell(box), similarity, match]),
    ),
  );
  if (o.annotate) {
    const drawn: Annotation[] = [
      ...faceMatches.map((m) => ({ box: m.face.boundingBox, label: `match ${pct(m.similarity)}`, matched: true })),
      ...unmatchedFaces.map((f) => ({ box: f.boundingBox, label: 'no match', matched: false })),
    ];
    await annotateImage(b.bytes, drawn, o.annotate);
  }
  return 0;
}

/** `facegate identify <image> --collection C`. */
export async function identify(client: GatewayClient, file: string, o: FaceCommandOptions): Promise<number> {
  if (!o.collectionId) throw new CliError('--collection is required for identify');
  const { bytes, image } = await base64Of(file);
  type Success = {
    faces: { face: FaceDetail; userMatches: { similarity: number; user: { userId: string } }[] }[];
    unsearchedFaces: FaceDetail[];
  };
  const data = await client.call<{ identifyFaces: ErrorValue & Success }>(IDENTIFY, {
    input: defined({
      collection: { provider: o.provider, collectionId: o.collectionId },
      image,
      userMatchThreshold: o.threshold,
      maxFaces: o.maxFaces,
    }),
  });
  const { faces, unsearchedFaces } = accepted(data.identifyFaces, 'IdentifyFacesSuccess');
  const nameOf = (f: Success['faces'][number]): string => f.userMatches[0]?.user.userId ?? 'unknown';
  print(o.format, { faces, unsearchedFaces }, () =>
    formatTable(
      ['#', 'box (x,y wxh)', 'user', 'similarity'],
      [
        ...faces.map((f) => [boxCell(f.face.boundingBox), nameOf(f), pct(f.userMatches[0]?.similarity)]),
        ...unsearchedFaces.map((f) => [boxCell(f.boundingBox), '(not searched)', '-']),
      ].map((row, i) => [String(i + 1), ...row]),
    ),
  );
  if (o.annotate) {
    const drawn: Annotation[] = [
      ...faces.map((f) => ({
        box: f.face.boundingBox,
        label: f.userMatches[0] ? `${nameOf(f)} ${pct(f.userMatches[0].similarity)}` : 'unknown',
        matched: f.userMatches.length > 0,
      })),
      ...unsearchedFaces.map((f) => ({ box: f.boundingBox, label: 'not searched', matched: false })),
    ];
    await annotateImage(bytes, drawn, o.annotate);
  }
  return 0;
}
