/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
  '\n  mutation CreateCollection($collection: CollectionRef!) {\n    createCollection(input: { collection: $collection }) {\n      __typename\n      ... on CreateCollectionSuccess {\n        collection {\n          id\n          collectionId\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n': typeof types.CreateCollectionDocument;
  '\n  mutation CreateUser($collection: CollectionRef!, $userId: String!) {\n    createUser(input: { collection: $collection, userId: $userId }) {\n      __typename\n      ... on CreateUserSuccess {\n        user {\n          ...UserRow\n          collection {\n            id\n          }\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n': typeof types.CreateUserDocument;
  '\n  mutation IndexFaces($collection: CollectionRef!, $photo: Upload!, $userId: String!) {\n    indexFaces(input: { collection: $collection, image: { upload: $photo }, externalImageId: $userId, maxFaces: 1 }) {\n      __typename\n      ... on IndexFacesSuccess {\n        faces {\n          id\n          faceId\n          boundingBox {\n            left\n            top\n            width\n            height\n          }\n        }\n        unindexedFaces {\n          reasons\n          boundingBox {\n            left\n            top\n            width\n            height\n          }\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n': typeof types.IndexFacesDocument;
  '\n  mutation AssociateFaces($collection: CollectionRef!, $userId: String!, $faceIds: [String!]!) {\n    associateFaces(input: { collection: $collection, userId: $userId, faceIds: $faceIds }) {\n      __typename\n      ... on AssociateFacesSuccess {\n        user {\n          ...UserRow\n          collection {\n            id\n          }\n        }\n        associatedFaces {\n          id\n          faceId\n        }\n        unsuccessfulFaceAssociations {\n          faceId\n          reasons\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n': typeof types.AssociateFacesDocument;
  '\n  query IdentifyFaces($collection: CollectionRef!, $photo: Upload!) {\n    identifyFaces(input: { collection: $collection, image: { upload: $photo }, maxFaces: 20, maxUsersPerFace: 1 }) {\n      __typename\n      ... on IdentifyFacesSuccess {\n        faces {\n          face {\n            boundingBox {\n              left\n              top\n              width\n              height\n            }\n          }\n          userMatches {\n            similarity\n            user {\n              id\n              userId\n            }\n          }\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n': typeof types.IdentifyFacesDocument;
  '\n  mutation TakeSnapshot($collection: CollectionRef!) {\n    takeSnapshot(input: { collection: $collection }) {\n      __typename\n      ... on TakeSnapshotAccepted {\n        operation {\n          id\n          status\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n': typeof types.TakeSnapshotDocument;
  '\n  subscription SnapshotProgress($operationId: ID!) {\n    snapshotProgress(operationId: $operationId) {\n      status\n      percent\n      processedItems\n      totalItems\n      message\n      snapshot {\n        id\n        userCount\n        faceCount\n      }\n    }\n  }\n': typeof types.SnapshotProgressDocument;
  '\n  fragment UserRow on User {\n    id\n    userId\n    status\n    faceCount\n    faces(first: 10) {\n      edges {\n        node {\n          id\n          faceId\n        }\n      }\n    }\n  }\n': typeof types.UserRowFragmentDoc;
  '\n  query CollectionUsers($collection: CollectionRef!, $first: Int!, $after: String) {\n    collection(ref: $collection) {\n      id\n      userCount\n      users(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            ...UserRow\n          }\n        }\n        pageInfo {\n          endCursor\n          hasNextPage\n        }\n      }\n      unassociated: faces(unassociated: true, first: 20) {\n        edges {\n          node {\n            id\n            faceId\n            externalImageId\n          }\n        }\n      }\n    }\n  }\n': typeof types.CollectionUsersDocument;
  '\n  mutation DisassociateFaces($collection: CollectionRef!, $userId: String!, $faceIds: [String!]!) {\n    disassociateFaces(input: { collection: $collection, userId: $userId, faceIds: $faceIds }) {\n      __typename\n      ... on DisassociateFacesSuccess {\n        user {\n          ...UserRow\n        }\n        disassociatedFaces {\n          id\n          faceId\n          externalImageId\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n': typeof types.DisassociateFacesDocument;
};
const documents: Documents = {
  '\n  mutation CreateCollection($collection: CollectionRef!) {\n    createCollection(input: { collection: $collection }) {\n      __typename\n      ... on CreateCollectionSuccess {\n        collection {\n          id\n          collectionId\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n':
    types.CreateCollectionDocument,
  '\n  mutation CreateUser($collection: CollectionRef!, $userId: String!) {\n    createUser(input: { collection: $collection, userId: $userId }) {\n      __typename\n      ... on CreateUserSuccess {\n        user {\n          ...UserRow\n          collection {\n            id\n          }\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n':
    types.CreateUserDocument,
  '\n  mutation IndexFaces($collection: CollectionRef!, $photo: Upload!, $userId: String!) {\n    indexFaces(input: { collection: $collection, image: { upload: $photo }, externalImageId: $userId, maxFaces: 1 }) {\n      __typename\n      ... on IndexFacesSuccess {\n        faces {\n          id\n          faceId\n          boundingBox {\n            left\n            top\n            width\n            height\n          }\n        }\n        unindexedFaces {\n          reasons\n          boundingBox {\n            left\n            top\n            width\n            height\n          }\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n':
    types.IndexFacesDocument,
  '\n  mutation AssociateFaces($collection: CollectionRef!, $userId: String!, $faceIds: [String!]!) {\n    associateFaces(input: { collection: $collection, userId: $userId, faceIds: $faceIds }) {\n      __typename\n      ... on AssociateFacesSuccess {\n        user {\n          ...UserRow\n          collection {\n            id\n          }\n        }\n        associatedFaces {\n          id\n          faceId\n        }\n        unsuccessfulFaceAssociations {\n          faceId\n          reasons\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n':
    types.AssociateFacesDocument,
  '\n  query IdentifyFaces($collection: CollectionRef!, $photo: Upload!) {\n    identifyFaces(input: { collection: $collection, image: { upload: $photo }, maxFaces: 20, maxUsersPerFace: 1 }) {\n      __typename\n      ... on IdentifyFacesSuccess {\n        faces {\n          face {\n            boundingBox {\n              left\n              top\n              width\n              height\n            }\n          }\n          userMatches {\n            similarity\n            user {\n              id\n              userId\n            }\n          }\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n':
    types.IdentifyFacesDocument,
  '\n  mutation TakeSnapshot($collection: CollectionRef!) {\n    takeSnapshot(input: { collection: $collection }) {\n      __typename\n      ... on TakeSnapshotAccepted {\n        operation {\n          id\n          status\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n':
    types.TakeSnapshotDocument,
  '\n  subscription SnapshotProgress($operationId: ID!) {\n    snapshotProgress(operationId: $operationId) {\n      status\n      percent\n      processedItems\n      totalItems\n      message\n      snapshot {\n        id\n        userCount\n        faceCount\n      }\n    }\n  }\n':
    types.SnapshotProgressDocument,
  '\n  fragment UserRow on User {\n    id\n    userId\n    status\n    faceCount\n    faces(first: 10) {\n      edges {\n        node {\n          id\n          faceId\n        }\n      }\n    }\n  }\n':
    types.UserRowFragmentDoc,
  '\n  query CollectionUsers($collection: CollectionRef!, $first: Int!, $after: String) {\n    collection(ref: $collection) {\n      id\n      userCount\n      users(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            ...UserRow\n          }\n        }\n        pageInfo {\n          endCursor\n          hasNextPage\n        }\n      }\n      unassociated: faces(unassociated: true, first: 20) {\n        edges {\n          node {\n            id\n            faceId\n            externalImageId\n          }\n        }\n      }\n    }\n  }\n':
    types.CollectionUsersDocument,
  '\n  mutation DisassociateFaces($collection: CollectionRef!, $userId: String!, $faceIds: [String!]!) {\n    disassociateFaces(input: { collection: $collection, userId: $userId, faceIds: $faceIds }) {\n      __typename\n      ... on DisassociateFacesSuccess {\n        user {\n          ...UserRow\n        }\n        disassociatedFaces {\n          id\n          faceId\n          externalImageId\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n':
    types.DisassociateFacesDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  mutation CreateCollection($collection: CollectionRef!) {\n    createCollection(input: { collection: $collection }) {\n      __typename\n      ... on CreateCollectionSuccess {\n        collection {\n          id\n          collectionId\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n',
): (typeof documents)['\n  mutation CreateCollection($collection: CollectionRef!) {\n    createCollection(input: { collection: $collection }) {\n      __typename\n      ... on CreateCollectionSuccess {\n        collection {\n          id\n          collectionId\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  mutation CreateUser($collection: CollectionRef!, $userId: String!) {\n    createUser(input: { collection: $collection, userId: $userId }) {\n      __typename\n      ... on CreateUserSuccess {\n        user {\n          ...UserRow\n          collection {\n            id\n          }\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n',
): (typeof documents)['\n  mutation CreateUser($collection: CollectionRef!, $userId: String!) {\n    createUser(input: { collection: $collection, userId: $userId }) {\n      __typename\n      ... on CreateUserSuccess {\n        user {\n          ...UserRow\n          collection {\n            id\n          }\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  mutation IndexFaces($collection: CollectionRef!, $photo: Upload!, $userId: String!) {\n    indexFaces(input: { collection: $collection, image: { upload: $photo }, externalImageId: $userId, maxFaces: 1 }) {\n      __typename\n      ... on IndexFacesSuccess {\n        faces {\n          id\n          faceId\n          boundingBox {\n            left\n            top\n            width\n            height\n          }\n        }\n        unindexedFaces {\n          reasons\n          boundingBox {\n            left\n            top\n            width\n            height\n          }\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n',
): (typeof documents)['\n  mutation IndexFaces($collection: CollectionRef!, $photo: Upload!, $userId: String!) {\n    indexFaces(input: { collection: $collection, image: { upload: $photo }, externalImageId: $userId, maxFaces: 1 }) {\n      __typename\n      ... on IndexFacesSuccess {\n        faces {\n          id\n          faceId\n          boundingBox {\n            left\n            top\n            width\n            height\n          }\n        }\n        unindexedFaces {\n          reasons\n          boundingBox {\n            left\n            top\n            width\n            height\n          }\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  mutation AssociateFaces($collection: CollectionRef!, $userId: String!, $faceIds: [String!]!) {\n    associateFaces(input: { collection: $collection, userId: $userId, faceIds: $faceIds }) {\n      __typename\n      ... on AssociateFacesSuccess {\n        user {\n          ...UserRow\n          collection {\n            id\n          }\n        }\n        associatedFaces {\n          id\n          faceId\n        }\n        unsuccessfulFaceAssociations {\n          faceId\n          reasons\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n',
): (typeof documents)['\n  mutation AssociateFaces($collection: CollectionRef!, $userId: String!, $faceIds: [String!]!) {\n    associateFaces(input: { collection: $collection, userId: $userId, faceIds: $faceIds }) {\n      __typename\n      ... on AssociateFacesSuccess {\n        user {\n          ...UserRow\n          collection {\n            id\n          }\n        }\n        associatedFaces {\n          id\n          faceId\n        }\n        unsuccessfulFaceAssociations {\n          faceId\n          reasons\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query IdentifyFaces($collection: CollectionRef!, $photo: Upload!) {\n    identifyFaces(input: { collection: $collection, image: { upload: $photo }, maxFaces: 20, maxUsersPerFace: 1 }) {\n      __typename\n      ... on IdentifyFacesSuccess {\n        faces {\n          face {\n            boundingBox {\n              left\n              top\n              width\n              height\n            }\n          }\n          userMatches {\n            similarity\n            user {\n              id\n              userId\n            }\n          }\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n',
): (typeof documents)['\n  query IdentifyFaces($collection: CollectionRef!, $photo: Upload!) {\n    identifyFaces(input: { collection: $collection, image: { upload: $photo }, maxFaces: 20, maxUsersPerFace: 1 }) {\n      __typename\n      ... on IdentifyFacesSuccess {\n        faces {\n          face {\n            boundingBox {\n              left\n              top\n              width\n              height\n            }\n          }\n          userMatches {\n            similarity\n            user {\n              id\n              userId\n            }\n          }\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  mutation TakeSnapshot($collection: CollectionRef!) {\n    takeSnapshot(input: { collection: $collection }) {\n      __typename\n      ... on TakeSnapshotAccepted {\n        operation {\n          id\n          status\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n',
): (typeof documents)['\n  mutation TakeSnapshot($collection: CollectionRef!) {\n    takeSnapshot(input: { collection: $collection }) {\n      __typename\n      ... on TakeSnapshotAccepted {\n        operation {\n          id\n          status\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  subscription SnapshotProgress($operationId: ID!) {\n    snapshotProgress(operationId: $operationId) {\n      status\n      percent\n      processedItems\n      totalItems\n      message\n      snapshot {\n        id\n        userCount\n        faceCount\n      }\n    }\n  }\n',
): (typeof documents)['\n  subscription SnapshotProgress($operationId: ID!) {\n    snapshotProgress(operationId: $operationId) {\n      status\n      percent\n      processedItems\n      totalItems\n      message\n      snapshot {\n        id\n        userCount\n        faceCount\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  fragment UserRow on User {\n    id\n    userId\n    status\n    faceCount\n    faces(first: 10) {\n      edges {\n        node {\n          id\n          faceId\n        }\n      }\n    }\n  }\n',
): (typeof documents)['\n  fragment UserRow on User {\n    id\n    userId\n    status\n    faceCount\n    faces(first: 10) {\n      edges {\n        node {\n          id\n          faceId\n        }\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  query CollectionUsers($collection: CollectionRef!, $first: Int!, $after: String) {\n    collection(ref: $collection) {\n      id\n      userCount\n      users(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            ...UserRow\n          }\n        }\n        pageInfo {\n          endCursor\n          hasNextPage\n        }\n      }\n      unassociated: faces(unassociated: true, first: 20) {\n        edges {\n          node {\n            id\n            faceId\n            externalImageId\n          }\n        }\n      }\n    }\n  }\n',
): (typeof documents)['\n  query CollectionUsers($collection: CollectionRef!, $first: Int!, $after: String) {\n    collection(ref: $collection) {\n      id\n      userCount\n      users(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            ...UserRow\n          }\n        }\n        pageInfo {\n          endCursor\n          hasNextPage\n        }\n      }\n      unassociated: faces(unassociated: true, first: 20) {\n        edges {\n          node {\n            id\n            faceId\n            externalImageId\n          }\n        }\n      }\n    }\n  }\n'];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(
  source: '\n  mutation DisassociateFaces($collection: CollectionRef!, $userId: String!, $faceIds: [String!]!) {\n    disassociateFaces(input: { collection: $collection, userId: $userId, faceIds: $faceIds }) {\n      __typename\n      ... on DisassociateFacesSuccess {\n        user {\n          ...UserRow\n        }\n        disassociatedFaces {\n          id\n          faceId\n          externalImageId\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n',
): (typeof documents)['\n  mutation DisassociateFaces($collection: CollectionRef!, $userId: String!, $faceIds: [String!]!) {\n    disassociateFaces(input: { collection: $collection, userId: $userId, faceIds: $faceIds }) {\n      __typename\n      ... on DisassociateFacesSuccess {\n        user {\n          ...UserRow\n        }\n        disassociatedFaces {\n          id\n          faceId\n          externalImageId\n        }\n      }\n      ... on Error {\n        code\n        message\n      }\n    }\n  }\n'];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> =
  TDocumentNode extends DocumentNode<infer TType, any> ? TType : never;
