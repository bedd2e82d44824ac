/**
 * Identify: drop a group photo (or pick one); identifyFaces names every
 * face it finds, drawn over the photo. The photo goes as a multipart
 * upload; a File cannot be part of a cache key, so the answer skips the
 * cache (`no-cache`), which also keeps two photos from being deduplicated
 * into one request.
 */
import { useLazyQuery } from '@apollo/client/react';
import { useState, type DragEvent } from 'react';
import { describeError, describeResult } from './errors';
import { FaceBoxes, type LabelledBox } from './face-boxes';
import { graphql } from './gql';
import type { CollectionRef } from './gql/graphql';

const IdentifyFaces = graphql(`
  query IdentifyFaces($collection: CollectionRef!, $photo: Upload!) {
    identifyFaces(input: { collection: $collection, image: { upload: $photo }, maxFaces: 20, maxUsersPerFace: 1 }) {
      __typename
      ... on IdentifyFacesSuccess {
        faces {
          face {
            boundingBox {
              left
              top
              width
              height
            }
          }
          userMatches {
            similarity
            user {
              id
              userId
            }
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

export function Identify({ collection }: { collection: CollectionRef }) {
  const [photo, setPhoto] = useState<File>();
  const [boxes, setBoxes] = useState<LabelledBox[]>([]);
  const [status, setStatus] = useState('');
  const [over, setOver] = useState(false);
  const [identify] = useLazyQuery(IdentifyFaces, { fetchPolicy: 'no-cache' });

  async function run(file: File) {
    setPhoto(file);
    setBoxes([]);
    setStatus('Identifying…');
    try {
      const { data, error } = await identify({ variables: { collection, photo: file }, context: { queryDeduplication: false } });
      if (error) throw error;
      const result = data!.identifyFaces;
      if (result.__typename !== 'IdentifyFacesSuccess') return setStatus(describeResult(result));
      setBoxes(
        result.faces.map(({ face, userMatches: [best] }) =>
          best
            ? { box: face.boundingBox, label: `${best.user.userId} ${best.similarity.toFixed(0)}%`, kind: 'known' as const }
            : { box: face.boundingBox, label: 'unknown', kind: 'unknown' as const },
        ),
      );
      const named = result.faces.filter((f) => f.userMatches.length > 0).length;
      setStatus(`${result.faces.length} face(s), ${named} named`);
    } catch (e) {
      setStatus(describeError(e));
    }
  }

  function drop(event: DragEvent<HTMLDivElement>) {
    event.preventDefault();
    setOver(false);
    const file = event.dataTransfer.files[0];
    if (file) void run(file);
  }

  return (
    <section aria-labelledby="identify-title">
      <h2 id="identify-title">Identify</h2>
      <div
        className={over ? 'drop over' : 'drop'}
        aria-label="Drop a group photo"
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={drop}
      >
        Drop a group photo here, or{' '}
        <input
          type="file"
          accept="image/jpeg,image/png"
          aria-label="Group photo"
          onChange={(e) => e.target.files?.[0] && void run(e.target.files[0])}
        />
      </div>
      <p className="status" role="status" aria-label="Identify status">
        {status}
      </p>
      {photo && <FaceBoxes photo={photo} boxes={boxes} name="Identified photo" />}
    </section>
  );
}
