/**
 * The embedded store when the disk misbehaves: a data directory that cannot
 * be written stops the gateway at start (exit 74, a message naming the
 * directory); a disk that fills up during writes gives typed errors, no
 * crash, nothing half-written, and every acknowledged write survives kill -9.
 *
 * Real conditions, not simulations: a small tmpfs mounted for the test
 * (`mount -t tmpfs -o size=…`), remounted read-only or bigger. Mounting
 * needs root (CAP_SYS_ADMIN); where it is refused these tests are skipped
 * with a warning, except under CI=true, where they fail instead.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gql, gqlData, startGateway } from '../support/gateway.js';
import { createCollection, ref } from '../support/fixtures.js';
import { environmentAllows } from '../support/environment.js';

const mounts: string[] = [];

function mountTmpfs(size: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'facegate-tmpfs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
  mounts.push(dir);
  return dir;
}

const remount = (dir: string, options: string) => execFileSync('mount', ['-o', `remount,${options}`, dir], { stdio: 'pipe' });

/** Whether this machine lets the test mount a tmpfs; under CI=true a refusal is a failure, not a skip. */
const canMount = environmentAllows(
  'the tmpfs data-safety tests (they mount a tmpfs: root, CAP_SYS_ADMIN)',
  (() => {
    try {
      const dir = mountTmpfs('1m');
      execFileSync('umount', [dir]);
      mounts.pop();
      rmSync(dir, { recursive: true });
      return null;
    } catch (e) {
      return (e as Error).message.split('\n')[0];
    }
  })(),
);

afterAll(() => {
  for (const dir of mounts.splice(0)) {
    try {
      execFileSync('umount', [dir]);
      rmSync(dir, { recursive: true });
    } catch {
      // already gone
    }
  }
});

/** Start-up must fail: the rejection carries the exit code and stderr. */
async function startFailure(dataDir: string): Promise<string> {
  const outcome = await startGateway({ dataDir }).then(
    async (gw) => {
      await gw.stop();
      return 'the gateway started';
    },
    (e: Error) => e.message,
  );
  return outcome;
}

describe('a data directory that cannot be written', () => {
  it('a file where the directory should be: exit 74 naming the path', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'facegate-notdir-')), 'data');
    writeFileSync(file, 'not a directory');
    const failure = await startFailure(file);
    expect(failure).toMatch(/exited with 74 before listening/);
    expect(failure).toContain(`data directory ${file}: expected a writable directory, got a file where a directory was expected`);
    expect(failure).not.toMatch(/\n\s+at /);
    rmSync(path.dirname(file), { recursive: true });
  });

  it.skipIf(!canMount)('a read-only file system, empty or holding a store: exit 74 naming the directory', async () => {
    const dir = mountTmpfs('8m');
    remount(dir, 'ro');
    const empty = await startFailure(dir);
    expect(empty).toMatch(/exited with 74 before listening/);
    expect(empty).toContain(`data directory ${dir}: expected a writable directory, got a read-only file system (EROFS)`);

    remount(dir, 'rw');
    const gw = await startGateway({ dataDir: dir });
    await createCollection(gw.url, 'kept');
    expect(await gw.stop()).toBe(0);
    remount(dir, 'ro');
    const withStore = await startFailure(dir);
    expect(withStore).toMatch(/exited with 74 before listening/);
    expect(withStore).toContain('read-only file system (EROFS)');
  });
});

describe.skipIf(!canMount)('a disk that fills up during writes', () => {
  it('answers ProviderUnavailable for the writes that do not fit, writes nothing of them, keeps serving, and loses no acknowledged write', async () => {
    const dir = mountTmpfs('2m');
    const gw = await startGateway({ dataDir: dir });
    const acked: string[] = [];
    const refused: string[] = [];
    try {
      await createCollection(gw.url, 'full');
      // 100 createUser per request (aliases), each its own transaction, until the disk is full.
      for (let round = 0; refused.length === 0 && round < 50; round++) {
        const ids = Array.from({ length: 100 }, (_, i) => `user-${round}-${i}-${'x'.repeat(100)}`);
        const doc = ids.map(
          (id, i) => `u${i}: createUser(input: { collection: { provider: "local", collectionId: "full" }, userId: "${id}" }) {
          __typename ... on Error { code message } ... on ProviderUnavailable { provider } }`,
        );
        const res = await gql(gw.url, `mutation { ${doc.join('\n')} }`);
        expect(res.errors).toBeUndefined();
        ids.forEach((id, i) => {
          const answer = res.data?.[`u${i}`];
          if (answer.__typename === 'CreateUserSuccess') return acked.push(id);
          expect(answer).toMatchObject({ __typename: 'ProviderUnavailable', code: 'PROVIDER_UNAVAILABLE', provider: 'local' });
          expect(answer.message).toMatch(
            /^store: expected room to write durably, got a full disk \(SQLITE_FULL\); nothing of this request was written/,
          );
          expect(answer.message).not.toContain(dir);
          refused.push(id);
        });
      }
      expect(refused.length).toBeGreaterThan(0);
      expect(acked.length).toBeGreaterThan(0);
      // Still serving: reads work and show exactly the acknowledged users.
      const count = async (url: string) =>
        (await gqlData(url, `query($c: CollectionRef!) { collection(ref: $c) { userCount } }`, { c: ref('full') })).collection.userCount;
      expect(await count(gw.url)).toBe(acked.length);
      expect((await fetch(gw.url.replace(/graphql$/, 'healthz'))).status).toBe(200);
      const logged = gw.logs.find((l) => l.providerCode === 'STORE_FULL');
      expect(logged).toMatchObject({ level: 50, provider: 'local' });

      // Room again: writes succeed without a restart.
      remount(dir, 'size=64m');
      const after = await gql(
        gw.url,
        `mutation { createUser(input: { collection: { provider: "local", collectionId: "full" }, userId: "after-full" }) { __typename } }`,
      );
      expect(after.data?.createUser.__typename).toBe('CreateUserSuccess');
      acked.push('after-full');
    } finally {
      await gw.kill();
    }

    // kill -9, restart on the same directory: every acknowledged user is there, no refused one is.
    const second = await startGateway({ dataDir: dir });
    try {
      const found = new Set<string>();
      let after: string | null = null;
      for (;;) {
        const data: any = await gqlData(
          second.url,
          `query($c: CollectionRef!, $a: String) { collection(ref: $c) { userCount users(first: 500, after: $a) {
          edges { node { userId } } pageInfo { hasNextPage endCursor } } } }`,
          { c: ref('full'), a: after },
        );
        data.collection.users.edges.forEach((e: any) => found.add(e.node.userId));
        expect(data.collection.userCount).toBe(acked.length);
        if (!data.collection.users.pageInfo.hasNextPage) break;
        after = data.collection.users.pageInfo.endCursor;
      }
      expect(acked.filter((u) => !found.has(u))).toEqual([]);
      expect(refused.filter((u) => found.has(u))).toEqual([]);
      expect(found.size).toBe(acked.length);
    } finally {
      await second.stop();
    }
  });
});
