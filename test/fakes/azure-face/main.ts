/**
 * Runs the fake Azure AI Face by hand (`npm run fake:azure -- --port 7071`):
 *
 *   node dist/test/fakes/azure-face/main.js [--port 7071] [--host 127.0.0.1] [--key fake-azure-face-key] [--training-ms 25]
 *
 * then point any Face client at it, e.g.
 *   curl -X PUT -H 'Ocp-Apim-Subscription-Key: fake-azure-face-key' -H 'Content-Type: application/json' \
 *     -d '{"name":"g","recognitionModel":"recognition_04"}' http://127.0.0.1:7071/face/v1.2/largepersongroups/g
 *
 * Images: any JPEG/PNG/GIF/BMP of 1 KB..6 MB is one face whose identity is
 * its sha256; a PNG with a `facegate:faces` tEXt chunk (JSON list of
 * { identity, box?, quality? }) holds exactly those faces. Logs one line per
 * request on stderr.
 */
import { DEFAULT_API_KEY, startFakeAzureFace } from './server.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i !== -1 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

const port = Number(arg('port', process.env.PORT ?? '7071'));
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port: expected an integer 0..65535, got ${arg('port', '')}`);
  process.exit(2);
}
const trainingMs = Number(arg('training-ms', '25'));
if (!Number.isFinite(trainingMs) || trainingMs < 0) {
  console.error(`--training-ms: expected a number ≥ 0, got ${arg('training-ms', '')}`);
  process.exit(2);
}
const fake = await startFakeAzureFace({
  port,
  host: arg('host', '127.0.0.1'),
  apiKey: arg('key', process.env.AZURE_FACE_KEY ?? DEFAULT_API_KEY),
  trainingMs,
  onCall: (call) => console.error(`${call.status ?? 'dropped'} ${call.op}${call.errorCode ? ` ${call.errorCode}` : ''}`),
});
console.log(
  `fake azure face listening on ${fake.url} (endpoint for clients; API under ${fake.url}/face/v1.2, v1.0 snapshots under ${fake.url}/face/v1.0)`,
);

const shutdown = () => void fake.stop().then(() => process.exit(0));
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
