/**
 * A spawned gateway's stdout read as its JSON log lines, for whoever starts
 * one: the benches, and the tests' gateway helper (through dist/, as the
 * tests import the bench's seeding).
 */
import type { Readable } from 'node:stream';

/**
 * Calls `onEntry` with each JSON object line `stream` prints; other lines
 * are skipped. Reads for the stream's whole life: a child whose stdout
 * pipe fills up blocks.
 */
export function onJsonLogLines(stream: Readable, onEntry: (entry: Record<string, unknown>) => void): void {
  let buffer = '';
  stream.on('data', (d: Buffer) => {
    buffer += d.toString();
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      let entry: unknown;
      try {
        entry = JSON.parse(line);
      } catch {
        continue; // not a JSON log line
      }
      if (typeof entry === 'object' && entry !== null && !Array.isArray(entry)) onEntry(entry as Record<string, unknown>);
    }
  });
}
