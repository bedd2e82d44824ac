import { Field, ID, InterfaceType } from 'type-graphql';

/** Every object with a stable global id, reachable through `node(id:)`. */
@InterfaceType('Node')
export abstract class Node {
  @Field(() => ID)
  id!: string;
}
