/**
 * Enrol: a photo and a user id → createUser, indexFaces (the photo sent as
 * a multipart upload), associateFaces; the detected faces are drawn over
 * the photo. The users list updates from the mutations' answers alone: a
 * new user is appended to the cached list, and the associated user's
 * faceCount and status arrive with its normalized id.
 */
import type { ApolloCache, Reference } from '@apollo/client';
import { isReference } from '@apollo/client/utilities';
import { useMutation } from '@apollo/client/react';
import { useState, type FormEvent } from 'react';
import { describeError, describeResult } from './errors';
import { FaceBoxes, type LabelledBox } from './face-boxes';
import { graphql } from './gql';
import type { CollectionRef } from './gql/graphql';

const CreateUser = graphql(`
  mutation CreateUser($collection: CollectionRef!, $userId: String!) {
    createUser(input: { collection: $collection, userId: $userId }) {
      __typename
      ... on CreateUserSuccess {
        user {
          ...UserRow
          collection {
            id
          }
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

const IndexFaces = graphql(`
  mutation IndexFaces($collection: CollectionRef!, $photo: Upload!, $userId: String!) {
    indexFaces(input: { collection: $collection, image: { upload: $photo }, externalImageId: $userId, maxFaces: 1 }) {
      __typename
      ... on IndexFacesSuccess {
        faces {
          id
          faceId
          boundingBox {
            left
            top
            width
            height
          }
        }
        unindexedFaces {
          reasons
          boundingBox {
            left
            top
            width
            height
          }
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

export const AssociateFaces = graphql(`
  mutation AssociateFaces($collection: CollectionRef!, $userId: String!, $faceIds: [String!]!) {
    associateFaces(input: { collection: $collection, userId: $userId, faceIds: $faceIds }) {
      __typename
      ... on AssociateFacesSuccess {
        user {
          ...UserRow
          collection {
            id
          }
        }
        associatedFaces {
          id
          faceId
        }
        unsuccessfulFaceAssociations {
          faceId
          reasons
        }
      }
      ... on Error {
        code
        message
      }
    }
  }
`);

/** A connection as relayStylePagination stores it: edges pointing at normalized nodes. */
export interface StoredConnection {
  edges: { __typename: string; cursor: string; node: Reference }[];
  pageInfo: { hasNextPage: boolean };
}

/** Appends a new user to the collection's cached users list, when its last page is loaded (users are listed in creation order). */
export function appendUser(cache: ApolloCache, collectionId: string, user: Reference): void {
  cache.modify<{ userCount: number; users: StoredConnection }>({
    id: cache.identify({ __typename: 'Collection', id: collectionId }),
    fields: {
      userCount: (count) => count + 1,
      users(existing) {
        // Another page would bring it (and this edge would come twice).
        if (isReference(existing) || existing.pageInfo.hasNextPage || existing.edges.some((e) => e.node.__ref === user.__ref))
          return existing;
        return { ...existing, edges: [...existing.edges, { __typename: 'UserEdge', cursor: '', node: user }] };
      },
    },
  });
}

export function Enrol({ collection }: { collection: CollectionRef }) {
  const [status, setStatus] = useState('');
  const [photo, setPhoto] = useState<File>();
  const [boxes, setBoxes] = useState<LabelledBox[]>([]);
  const [createUser] = useMutation(CreateUser, {
    update(cache, { data }) {
      const result = data?.createUser;
      if (result?.__typename !== 'CreateUserSuccess') return;
      const ref = cache.identify(result.user);
      if (ref) appendUser(cache, result.user.collection.id, { __ref: ref });
    },
  });
  const [indexFaces] = useMutation(IndexFaces);
  const [associateFaces] = useMutation(AssociateFaces);

  async function enrol(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const fields = new FormData(event.currentTarget);
    const userId = String(fields.get('userId')).trim();
    const file = fields.get('photo');
    if (!(file instanceof File) || file.size === 0) return setStatus('Pick a photo first');
    setPhoto(file);
    setBoxes([]);
    try {
      setStatus(`Creating ${userId}…`);
      const created = (await createUser({ variables: { collection, userId } })).data!.createUser;
      if (created.__typename !== 'CreateUserSuccess' && created.__typename !== 'UserAlreadyExists')
        return setStatus(describeResult(created));
      setStatus('Uploading the photo…');
      const indexed = (await indexFaces({ variables: { collection, photo: file, userId } })).data!.indexFaces;
      if (indexed.__typename !== 'IndexFacesSuccess') return setStatus(describeResult(indexed));
      setBoxes([
        ...indexed.faces.map((f) => ({ box: f.boundingBox!, label: userId, kind: 'known' as const })),
        ...indexed.unindexedFaces.map((f) => ({ box: f.boundingBox, label: f.reasons.join(', '), kind: 'unindexed' as const })),
      ]);
      if (indexed.faces.length === 0) return setStatus('No face to enrol in this photo');
      const faceIds = indexed.faces.map((f) => f.faceId);
      const associated = (await associateFaces({ variables: { collection, userId, faceIds } })).data!.associateFaces;
      if (associated.__typename !== 'AssociateFacesSuccess') return setStatus(describeResult(associated));
      const refused = associated.unsuccessfulFaceAssociations.map((f) => `${f.faceId}: ${f.reasons.join(', ')}`);
      setStatus(
        `Enrolled ${userId}: ${associated.associatedFaces.length} face(s), ${associated.user.faceCount} in all` +
          (refused.length ? `; refused ${refused.join('; ')}` : ''),
      );
    } catch (e) {
      setStatus(describeError(e));
    }
  }

  return (
    <section aria-labelledby="enrol-title">
      <h2 id="enrol-title">Enrol</h2>
      <form onSubmit={enrol}>
        <label>
          User id <input name="userId" required size={12} />
        </label>
        <label>
          Photo <input name="photo" type="file" accept="image/jpeg,image/png" />
        </label>
        <button type="submit">Enrol</button>
      </form>
      <p className="status" role="status" aria-label="Enrol status">
        {status}
      </p>
      {photo && <FaceBoxes photo={photo} boxes={boxes} name="Enrolled photo" />}
    </section>
  );
}
