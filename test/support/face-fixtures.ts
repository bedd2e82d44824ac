/**
 * The labelled face photos of test/fixtures/faces (face-api.js's examples,
 * MIT; see its LICENSE): eight people with five tight 150×150 grayscale
 * crops each, group scenes of the same people and one face per expression.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'faces');

export const PEOPLE = ['amy', 'bernadette', 'howard', 'leonard', 'penny', 'raj', 'sheldon', 'stuart'] as const;
export type Person = (typeof PEOPLE)[number];

/** Path of `person`'s crop number `n` (1..5). */
export const cropPath = (person: Person, n: number): string => path.join(ROOT, person, `${person}${n}.png`);

/** All 40 crops, with their person. */
export const CROPS: readonly { person: Person; n: number; path: string }[] = PEOPLE.flatMap((person) =>
  [1, 2, 3, 4, 5].map((n) => ({ person, n, path: cropPath(person, n) })),
);

/** The group scenes bbt1..bbt5.jpg. */
export const scenePath = (n: number): string => path.join(ROOT, 'scenes', `bbt${n}.jpg`);

/** face-api's seven expressions, one photo each (scenes/<expression>.jpg). */
export const EXPRESSIONS = ['angry', 'disgusted', 'fearful', 'happy', 'neutral', 'sad', 'surprised'] as const;
export type Expression = (typeof EXPRESSIONS)[number];
export const expressionPath = (expression: Expression): string => path.join(ROOT, 'scenes', `${expression}.jpg`);
