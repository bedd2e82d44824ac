/**
 * Baseline for `npm run bench`: raw node:http answering every POST with
 * fixed bytes (the exact response facegate gave for the same query), so the
 * ratio facegate/raw is the cost of the GraphQL gateway itself.
 * Usage: node raw-server.js <port> <response-file>
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';

const [port, file] = process.argv.slice(2);
const body = readFileSync(file);
http
  .createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
      res.end(body);
    });
  })
  .listen(Number(port), '127.0.0.1', () => process.stdout.write('ready\n'));
