/**
 * The users of the collection, a page at a time (`fetchMore` with the
 * connection's endCursor; the cache's relayStylePagination appends), and
 * the faces no user has. Taking a user's faces away (disassociateFaces) and
 * giving a face back (associateFaces) update the rows from the mutations'
 * answers and move the faces between the cached lists: nothing is refetched.
 */
import type { ApolloCache } from '@apollo/client';
import { useMutation, useQuery } from '@apollo/client/react';
import { useState, type ReactNode } from 'react';
import { isReference } from '@apollo/client/utilities';
import { AssociateFaces, type StoredConnection } from './enrol';
import { describeError, describeResult } from './errors';
import { graphql } from './gql';
import type { CollectionRef } from './gql/graphql';

/** Users per page (small, so the example pages). */
export const PAGE_SIZE = 3;

graphql(`
  fragment UserRow on User {
    id
    userId
    status
    faceCount
    faces(first: 10) {
      edges {
        node {
          id
          faceId
        }
      }
    }
  }
`);

const CollectionUsers = graphql(`
  query CollectionUsers($collection: CollectionRef!, $first: Int!, $after: String) {
    collection(ref: $collection) {
      id
      userCount
      users(first: $first, after: $after) {
        edges {
          cursor
          node {
            ...UserRow
          }
        }
        pageInfo {
          endCursor
          hasNextPage
        }
      }
      unassociated: faces(unassociated: true, first: 20) {
        edges {
          node {
            id
            faceId
            externalImageId
          }
        }
      }
    }
  }
`);

const DisassociateFaces = graphql(`
  mutation DisassociateFaces($collection: CollectionRef!, $userId: String!, $faceIds: [String!]!) {
    disassociateFaces(input: { collection: $collection, userId: $userId, faceIds: $faceIds }) {
      __typename
      ... on DisassociateFacesSuccess {
        user {
          ...UserRow
        }
        disassociatedFaces {
          id
          faceId
          externalImageId
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

/** Adds or removes faces in the collection's cached list of unassociated faces. */
function moveFaces(cache: ApolloCache, collectionId: string, faces: { __typename?: string; id: string }[], into: boolean): void {
  const refs = faces.map((f) => cache.identify(f)).filter((r): r is string => !!r);
  cache.modify<{ faces: StoredConnection }>({
    id: cache.identify({ __typename: 'Collection', id: collectionId }),
    fields: {
      faces(existing, { storeFieldName, toReference }) {
        // The field's lists are kept apart by keyArgs: only the unassociated one changes.
        if (isReference(existing) || !storeFieldName.includes('"unassociated":true')) return existing;
        const kept = existing.edges.filter((e) => !refs.includes(e.node.__ref));
        if (!into) return { ...existing, edges: kept };
        return { ...existing, edges: [...kept, ...refs.map((ref) => ({ __typename: 'FaceEdge', cursor: '', node: toReference(ref)! }))] };
      },
    },
  });
}

export function Users({ collection }: { collection: CollectionRef }) {
  const [status, setStatus] = useState('');
  const { data, loading, error, fetchMore } = useQuery(CollectionUsers, { variables: { collection, first: PAGE_SIZE } });
  const collectionId = data?.collection?.id;
  const [disassociate] = useMutation(DisassociateFaces, {
    update(cache, { data: answer }) {
      const result = answer?.disassociateFaces;
      if (collectionId && result?.__typename === 'DisassociateFacesSuccess')
        moveFaces(cache, collectionId, result.disassociatedFaces, true);
    },
  });
  const [associate] = useMutation(AssociateFaces, {
    update(cache, { data: answer }) {
      const result = answer?.associateFaces;
      if (collectionId && result?.__typename === 'AssociateFacesSuccess') moveFaces(cache, collectionId, result.associatedFaces, false);
    },
  });

  async function run(what: Promise<{ __typename: string; message?: string } | undefined>, done: string) {
    try {
      const result = await what;
      setStatus(result && 'code' in result ? describeResult(result) : done);
    } catch (e) {
      setStatus(describeError(e));
    }
  }

  if (error) return <Section status={describeError(error)} />;
  if (!data?.collection) return <Section status={loading ? 'Loading…' : `No collection ${collection.collectionId}: create it above`} />;
  const { users, unassociated, userCount } = data.collection;
  const userIds = users.edges.map((e) => e.node.userId);
  return (
    <Section status={status}>
      <p aria-label="Users shown">
        {users.edges.length} of {userCount} users
      </p>
      <table aria-label="Users">
        <thead>
          <tr>
            <th>user</th>
            <th>faces</th>
            <th>status</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {users.edges.map(({ node: user }) => (
            <tr key={user.id} data-user={user.userId}>
              <td>{user.userId}</td>
              <td>{user.faceCount}</td>
              <td>{user.status}</td>
              <td>
                {user.faces.edges.length > 0 && (
                  <button
                    onClick={() =>
                      run(
                        disassociate({
                          variables: { collection, userId: user.userId, faceIds: user.faces.edges.map((e) => e.node.faceId) },
                        }).then((r) => r.data?.disassociateFaces),
                        `Took ${user.faces.edges.length} face(s) from ${user.userId}`,
                      )
                    }
                  >
                    Remove faces
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {users.pageInfo.hasNextPage && (
        <button
          onClick={() =>
            run(
              fetchMore({ variables: { after: users.pageInfo.endCursor } }).then(() => undefined),
              '',
            )
          }
        >
          Load more
        </button>
      )}
      <h3>Faces without a user</h3>
      <ul aria-label="Faces without a user">
        {unassociated.edges.map(({ node: face }) => (
          <FaceRow
            key={face.id}
            face={face}
            userIds={userIds}
            onAssociate={(userId) =>
              run(
                associate({ variables: { collection, userId, faceIds: [face.faceId] } }).then((r) => r.data?.associateFaces),
                `Gave a face to ${userId}`,
              )
            }
          />
        ))}
      </ul>
    </Section>
  );
}

/** A face without a user, and to whom to give it (its externalImageId, the user it was enrolled for, first). */
function FaceRow(props: {
  face: { faceId: string; externalImageId?: string | null };
  userIds: string[];
  onAssociate: (userId: string) => void;
}) {
  const { face, userIds, onAssociate } = props;
  const [userId, setUserId] = useState(face.externalImageId && userIds.includes(face.externalImageId) ? face.externalImageId : userIds[0]);
  return (
    <li data-face={face.faceId}>
      {face.externalImageId ?? face.faceId.slice(0, 8)}{' '}
      <select aria-label="Give to" value={userId} onChange={(e) => setUserId(e.target.value)}>
        {userIds.map((u) => (
          <option key={u}>{u}</option>
        ))}
      </select>{' '}
      <button disabled={!userId} onClick={() => userId && onAssociate(userId)}>
        Associate
      </button>
    </li>
  );
}

function Section({ status, children }: { status: string; children?: ReactNode }) {
  return (
    <section aria-labelledby="users-title">
      <h2 id="users-title">Users</h2>
      {children}
      <p className="status" role="status" aria-label="Users status">
        {status}
      </p>
    </section>
  );
}
