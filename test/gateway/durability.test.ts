/** Acknowledged writes survive kill -9 of the gateway (embedded store). */
import { describe, expect, it } from 'vitest';
import { gql, gqlData, removeDataDir, startGateway } from '../support/gateway.js';
import { createCollection, ref } from '../support/fixtures.js';
import { until } from '../support/wait.js';

describe('crash safety', () => {
  it('keeps every acknowledged createUser after SIGKILL under concurrent writes', async () => {
    const first = await startGateway();
    const acked: string[] = [];
    try {
      await createCollection(first.url, 'crash');
      let stop = false;
      const writer = async (w: number) => {
        for (let i = 0; !stop; i++) {
          const userId = `w${w}-u${i}`;
          try {
            const res = await gql(
              first.url,
              `mutation($c: CollectionRef!, $u: String!) { createUser(input: { collection: $c, userId: $u }) { __typename } }`,
              {
                c: ref('crash'),
                u: userId,
              },
            );
            if (res.data?.createUser.__typename === 'CreateUserSuccess') acked.push(userId);
          } catch {
            return; // the connection died with the process: not acknowledged
          }
        }
      };
      const writers = [0, 1, 2, 3].map(writer);
      await until(() => acked.length >= 150, '150 acknowledged createUser', 30_000);
      await first.kill();
      stop = true;
      await Promise.all(writers);
    } finally {
      await first.kill();
    }

    const second = await startGateway({ dataDir: first.dataDir });
    try {
      const found = new Set<string>();
      let after: string | null = null;
      for (;;) {
        const data: any = await gqlData(
          second.url,
          `query($c: CollectionRef!, $a: String) { collection(ref: $c) { users(first: 500, after: $a) {
          edges { node { userId } } pageInfo { hasNextPage endCursor } } } }`,
          { c: ref('crash'), a: after },
        );
        data.collection.users.edges.forEach((e: any) => found.add(e.node.userId));
        if (!data.collection.users.pageInfo.hasNextPage) break;
        after = data.collection.users.pageInfo.endCursor;
      }
      const lost = acked.filter((u) => !found.has(u));
      expect(acked.length).toBeGreaterThanOrEqual(150);
      expect(lost).toEqual([]);
    } finally {
      await second.stop();
      removeDataDir(first.dataDir);
    }
  });
});
