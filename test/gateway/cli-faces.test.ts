/**
 * `facegate detect | compare | identify` against the running gateway: the
 * real CLI process, the real local engine. The annotated pictures are kept
 * under test-artifacts/ for a person to look at.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { REPO_ROOT } from '../support/gateway.js';
import { createCollection, uniqueCollectionId } from '../support/fixtures.js';
import { GROUP_PHOTOS, PHOTOS } from '../support/photos.js';

const url = inject('gatewayUrl');
const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts');
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['dist/src/cli/main.js', ...args, '--url', url], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000 });
const lastJson = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!);

/** How many pixels of `a` and `b` (same size, RGB) differ. */
async function differingPixels(a: string | Buffer, b: string | Buffer): Promise<number> {
  const [x, y] = await Promise.all([a, b].map((i) => sharp(i).rotate().removeAlpha().raw().toBuffer({ resolveWithObject: true })));
  expect([y.info.width, y.info.height]).toEqual([x.info.width, x.info.height]);
  let n = 0;
  for (let i = 0; i < x.data.length; i += 3)
    if (x.data[i] !== y.data[i] || x.data[i + 1] !== y.data[i + 1] || x.data[i + 2] !== y.data[i + 2]) n++;
  return n;
}

describe('facegate detect, compare, identify', () => {
  const collectionId = uniqueCollectionId('cli-identify');
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await createCollection(url, collectionId);
    // Enrol franck from two photos through the CLI's own index command.
    const enrolled = cli('index', PHOTOS.franck[0], PHOTOS.franck[1], '--collection', collectionId, '--user', 'franck');
    expect(enrolled.status, enrolled.stderr).toBe(0);
  });

  it('detect prints every face of a group photo as JSON and draws them with --annotate', async () => {
    const group = GROUP_PHOTOS[4];
    const out = path.join(ARTIFACTS, 'cli-detect-group.png');
    const run = cli('detect', group.path, '--json', '--annotate', out);
    expect(run.status, run.stderr).toBe(0);
    const { faces } = lastJson(run.stdout);
    expect(faces).toHaveLength(group.faces);
    for (const f of faces) expect(f.confidence).toBeGreaterThan(50);
    // The picture is the photo with boxes drawn on it: same size, some pixels changed.
    expect(await differingPixels(group.path, out)).toBeGreaterThan(100);
  });

  it('detect prints a table with --format table', () => {
    const run = cli('detect', PHOTOS.audrey[0], '--format', 'table');
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^#\s+box \(x,y wxh\)\s+confidence/);
    expect(lines).toHaveLength(3); // header, rule, one face
  });

  it('compare finds the same person and not another one', () => {
    const same = cli('compare', PHOTOS.franck[2], PHOTOS.franck[3]);
    expect(same.status, same.stderr).toBe(0);
    const a = lastJson(same.stdout);
    expect(a.faceMatches).toHaveLength(1);
    expect(a.faceMatches[0].similarity).toBeGreaterThanOrEqual(80);

    const other = cli('compare', PHOTOS.franck[2], PHOTOS.audrey[0]);
    expect(other.status, other.stderr).toBe(0);
    const b = lastJson(other.stdout);
    expect(b.faceMatches).toEqual([]);
    expect(b.unmatchedFaces).toHaveLength(1);
  });

  it('identify names the enrolled person, leaves the others unknown, and draws the names', async () => {
    const out = path.join(ARTIFACTS, 'cli-identify.png');
    const run = cli('identify', PHOTOS.franck[4], '--collection', collectionId, '--annotate', out);
    expect(run.status, run.stderr).toBe(0);
    const { faces } = lastJson(run.stdout);
    expect(faces).toHaveLength(1);
    expect(faces[0].userMatches[0].user.userId).toBe('franck');
    expect(await differingPixels(PHOTOS.franck[4], out)).toBeGreaterThan(100);

    const stranger = cli('identify', PHOTOS.cage[0], '--collection', collectionId, '--format', 'table');
    expect(stranger.status, stranger.stderr).toBe(0);
    expect(stranger.stdout).toMatch(/unknown/);
  });

  it('exits 1 with the error value for a missing collection and for a file that is not an image', () => {
    const missing = cli('identify', PHOTOS.franck[0], '--collection', 'no-such-collection');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('CollectionNotFound (COLLECTION_NOT_FOUND)');
    const notImage = cli('detect', path.join(REPO_ROOT, 'package.json'));
    expect(notImage.status).toBe(1);
    expect(notImage.stderr).toContain('InvalidImage (INVALID_IMAGE)');
    expect(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).toContain('facegate');
  });

  it('refuses a bad option before calling the gateway', () => {
    const run = cli('identify', PHOTOS.franck[0], '--collection', collectionId, '--threshold', '101');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('--threshold: expected a number in 0..100, got 101');
  });
});
