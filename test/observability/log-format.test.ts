/**
 * Log lines: JSON when stdout is not a terminal (a pipe, as here and in
 * production), pretty (pino-pretty) when LOG_FORMAT=pretty forces it, and
 * pretty and coloured on a real terminal (a pty from util-linux `script`).
 * A LOG_FORMAT the gateway does not know stops it with the config exit code.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, removeDataDir } from '../support/gateway.js';

const MAIN = path.join(REPO_ROOT, 'dist/src/main.js');
const ESC = '\u001b[';

/**
 * Runs the gateway (through `command`, the node binary by default) until a
 * stdout line says it listens, stops it, and returns every stdout line.
 */
function linesUntilListening(env: Record<string, string>, command: string[] = [process.execPath, MAIN]): Promise<string[]> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'facegate-logs-'));
  const child = spawn(command[0], command.slice(1), {
    cwd: REPO_ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', FACEGATE_DATA_DIR: dataDir, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise<string[]>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('facegate listening')) process.kill(-child.pid!, 'SIGTERM');
    });
    child.on('exit', (code, signal) => {
      removeDataDir(dataDir);
      if (!out.includes('facegate listening')) reject(new Error(`exited (${code ?? signal}) before listening: ${err.slice(0, 2000)}`));
      else resolve(out.split(/\r?\n/).filter(Boolean));
    });
  });
}

const listening = (lines: string[]) => lines.find((l) => l.includes('facegate listening'))!;
const isJson = (line: string) => {
  try {
    return typeof JSON.parse(line) === 'object';
  } catch {
    return false;
  }
};

describe('log format', () => {
  it('writes JSON lines on a pipe by default', async () => {
    const lines = await linesUntilListening({});
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.filter((l) => !isJson(l))).toEqual([]);
    expect(JSON.parse(listening(lines))).toMatchObject({ level: 30, name: 'facegate', msg: 'facegate listening' });
  });

  it('writes pretty lines with LOG_FORMAT=pretty, uncoloured on a pipe', async () => {
    const lines = await linesUntilListening({ LOG_FORMAT: 'pretty' });
    const line = listening(lines);
    expect(lines.filter(isJson)).toEqual([]);
    expect(line).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO \(facegate\): facegate listening$/);
    expect(lines.join('\n')).not.toContain(ESC);
    // The fields follow on their own lines.
    expect(lines).toContainEqual(expect.stringMatching(/^\s+url: "http:\/\/127\.0\.0\.1:\d+\/graphql"$/));
  });

  it.runIf(spawnSync('script', ['--version']).status === 0)('writes pretty, coloured lines on a terminal', async () => {
    // util-linux `script` runs the gateway on a pseudo-terminal and copies what it prints to our pipe.
    const lines = await linesUntilListening({}, [
      'script',
      '-qfec',
      `${JSON.stringify(process.execPath)} ${JSON.stringify(MAIN)}`,
      '/dev/null',
    ]);
    const line = listening(lines);
    expect(isJson(line)).toBe(false);
    expect(line).toContain(`${ESC}32mINFO${ESC}39m`);
    expect(line).toContain('facegate listening');
  });

  it('refuses a LOG_FORMAT it does not know, naming what it expected', () => {
    const run = spawnSync(process.execPath, [MAIN], {
      cwd: REPO_ROOT,
      env: { ...process.env, LOG_FORMAT: 'xml', PORT: '0' },
      encoding: 'utf8',
    });
    expect({ status: run.status, stderr: run.stderr }).toEqual({
      status: 78,
      stderr: 'facegate: invalid configuration\nLOG_FORMAT: expected json or pretty, got "xml"\n',
    });
  });
});
