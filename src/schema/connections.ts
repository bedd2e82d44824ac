/** The connection types of the schema's lists. */
import { Collection } from './collection.type.js';
import { connectionOf } from './connection.types.js';
import { Face } from './face.type.js';
import { Snapshot } from './snapshot.type.js';
import { User } from './user.type.js';

export const CollectionConnection = connectionOf('Collection', Collection);
export const UserConnection = connectionOf('User', User);
export const FaceConnection = connectionOf('Face', Face);
export const SnapshotConnection = connectionOf('Snapshot', Snapshot);
