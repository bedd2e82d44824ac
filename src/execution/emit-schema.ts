/**
 * `npm run schema`: writes the SDL of the schema to the path given (the
 * committed `schema.graphql`), or prints it. CI compares the two.
 */
import { writeFileSync } from 'node:fs';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { buildGatewaySchema } from './build-schema.js';

const sdl = `${printSchema(lexicographicSortSchema(await buildGatewaySchema()))}\n`;
const target = process.argv[2];
if (target) writeFileSync(target, sdl);
else process.stdout.write(sdl);
