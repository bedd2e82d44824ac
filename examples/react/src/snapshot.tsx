/**
 * A snapshot of the collection: takeSnapshot over HTTP, then its progress
 * live from the snapshotProgress subscription over graphql-ws (the first
 * event is the operation's current state, so subscribing after the
 * mutation answers loses nothing).
 */
import { useMutation, useSubscription } from '@apollo/client/react';
import { useState } from 'react';
import { describeError, describeResult } from './errors';
import { graphql } from './gql';
import type { CollectionRef, SnapshotProgressSubscription } from './gql/graphql';

const TakeSnapshot = graphql(`
  mutation TakeSnapshot($collection: CollectionRef!) {
    takeSnapshot(input: { collection: $collection }) {
      __typename
      ... on TakeSnapshotAccepted {
        operation {
          id
          status
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

const SnapshotProgress = graphql(`
  subscription SnapshotProgress($operationId: ID!) {
    snapshotProgress(operationId: $operationId) {
      status
      percent
      processedItems
      totalItems
      message
      snapshot {
        id
        userCount
        faceCount
      }
    }
  }
`);

type Progress = SnapshotProgressSubscription['snapshotProgress'];

export function Snapshot({ collection }: { collection: CollectionRef }) {
  const [operationId, setOperationId] = useState<string>();
  const [status, setStatus] = useState('Idle');
  const [take, { loading }] = useMutation(TakeSnapshot);

  async function start() {
    setOperationId(undefined);
    setStatus('Requesting…');
    try {
      const result = (await take({ variables: { collection } })).data!.takeSnapshot;
      if (result.__typename !== 'TakeSnapshotAccepted') return setStatus(describeResult(result));
      setStatus(`${result.operation.status}…`);
      setOperationId(result.operation.id);
    } catch (e) {
      setStatus(describeError(e));
    }
  }

  return (
    <section aria-labelledby="snapshot-title">
      <h2 id="snapshot-title">Snapshot</h2>
      <button onClick={start} disabled={loading}>
        Take snapshot
      </button>
      {operationId ? (
        <Follow key={operationId} operationId={operationId} />
      ) : (
        <p role="status" aria-label="Snapshot status">
          {status}
        </p>
      )}
    </section>
  );
}

/** One operation's progress: a bar, a status line and every event as it came. */
function Follow({ operationId }: { operationId: string }) {
  const [events, setEvents] = useState<Progress[]>([]);
  const { error } = useSubscription(SnapshotProgress, {
    variables: { operationId },
    onData: ({ data }) => {
      const event = data.data?.snapshotProgress;
      if (event) setEvents((all) => [...all, event]);
    },
  });
  const last = events.at(-1);
  const counts = (p: Progress) => `${p.processedItems}/${p.totalItems ?? '?'}`;
  const line = error
    ? `Failed: ${describeError(error)}`
    : !last
      ? 'Waiting for the first event…'
      : last.status === 'SUCCEEDED'
        ? `SUCCEEDED: snapshot ${last.snapshot?.id} (${last.snapshot?.userCount} users, ${last.snapshot?.faceCount} faces)`
        : `${last.status} ${counts(last)}${last.message ? `: ${last.message}` : ''}`;
  return (
    <>
      <progress max={100} value={last?.percent ?? 0} aria-label="Snapshot progress" />
      <p role="status" aria-label="Snapshot status">
        {line}
      </p>
      <ol className="events" aria-label="Progress events">
        {events.map((p, i) => (
          <li key={i}>
            {p.status} {p.percent.toFixed(1)}% {counts(p)}
          </li>
        ))}
      </ol>
    </>
  );
}
