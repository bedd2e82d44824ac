/**
 * Which GraphQL input field each Rekognition request member comes from, so
 * an InvalidParameterException ("Value '…' at 'faceIds' failed to satisfy
 * constraint") answers InvalidInput whose `field` is the path the client
 * sent (`input.faceIds`), not AWS's member name.
 *
 * AWS names the member in lowerCamelCase, nested members with dots
 * (`image.bytes`); the first segment decides. A call whose member is not
 * the client's value (verifyUser's MaxUsers, which the adapter chooses) or
 * comes from a differently named field (identifyFaces' MaxUsers is
 * `maxUsersPerFace`) says so in its CallContext's `fields`.
 */

/** AWS member → GraphQL input path, for every member the adapter sends from the client's input. */
export const INPUT_FIELDS: Readonly<Record<string, string>> = {
  collectionId: 'input.collection.collectionId',
  userId: 'input.userId',
  faceIds: 'input.faceIds',
  faceId: 'input.faceId',
  clientRequestToken: 'input.clientRequestToken',
  externalImageId: 'input.externalImageId',
  maxFaces: 'input.maxFaces',
  maxUsers: 'input.maxUsers',
  userMatchThreshold: 'input.userMatchThreshold',
  faceMatchThreshold: 'input.faceMatchThreshold',
  similarityThreshold: 'input.similarityThreshold',
  qualityFilter: 'input.qualityFilter',
  detectionAttributes: 'input.detectionAttributes',
  attributes: 'input.attributes',
  image: 'input.image',
  sourceImage: 'input.sourceImage',
  targetImage: 'input.targetImage',
  // Listings: the connection's arguments.
  nextToken: 'after',
  maxResults: 'first',
};

/**
 * The GraphQL path of AWS member path `member`: the call's own mapping
 * first (null: a value the adapter chose, no input field), then
 * {@link INPUT_FIELDS}; null for a member neither knows.
 */
export function inputField(member: string, overrides: Readonly<Record<string, string | null>> = {}): string | null {
  const head = member.split('.')[0];
  if (head in overrides) return overrides[head];
  return INPUT_FIELDS[head] ?? null;
}
