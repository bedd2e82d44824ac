/**
 * Runs the fake Rekognition by hand:
 *
 *   node dist/test/fakes/rekognition/main.js [--port 4566] [--host 127.0.0.1]
 *
 * then point any AWS client at it, e.g.
 *   AWS_ENDPOINT_URL_REKOGNITION=http://127.0.0.1:4566 AWS_REGION=us-east-1 \
 *   AWS_ACCESS_KEY_ID=fake AWS_SECRET_ACCESS_KEY=fake aws rekognition list-collections
 *
 * Images: any JPEG/PNG is one face whose identity is its sha256; a PNG with a
 * `facegate:faces` tEXt chunk (JSON list of { identity, box?, confidence? })
 * holds exactly those faces. Logs one line per request on stderr.
 */
import { startFakeRekognition } from './server.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i !== -1 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

const port = Number(arg('port', process.env.PORT ?? '4566'));
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port: expected an integer 0..65535, got ${arg('port', '')}`);
  process.exit(2);
}
const fake = await startFakeRekognition({
  port,
  host: arg('host', '127.0.0.1'),
  onCall: (call) => console.error(`${call.status ?? 'dropped'} ${call.op}${call.errorType ? ` ${call.errorType}` : ''}`),
});
console.log(`fake rekognition listening on ${fake.url}`);

const shutdown = () => void fake.stop().then(() => process.exit(0));
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
