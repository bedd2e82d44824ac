import { createUnionType, Field, ObjectType } from 'type-graphql';
import {
  CollectionNotFound,
  Forbidden,
  InvalidInput,
  ProviderUnavailable,
  Throttled,
  UnsupportedOperation,
  UserNotFound,
} from './errors.types.js';
import { UserMatch } from './search.types.js';

@ObjectType()
export class SearchUsersSuccess {
  @Field(() => String, { nullable: true })
  searchedUserId!: string | null;

  @Field(() => String, { nullable: true })
  searchedFaceId!: string | null;

  @Field(() => [UserMatch], { description: 'Highest similarity first; never the searched user.' })
  userMatches!: UserMatch[];
}

export const SearchUsersMembers = [
  SearchUsersSuccess,
  CollectionNotFound,
  UserNotFound,
  InvalidInput,
  Forbidden,
  ProviderUnavailable,
  Throttled,
  UnsupportedOperation,
] as const;
export const SearchUsersResult = createUnionType({ name: 'SearchUsersResult', types: () => SearchUsersMembers });
