/**
 * The gateway's logs (pino), with secrets redacted wherever they appear:
 * JSON lines for machines (a pipe, a file, a log shipper), or pretty and
 * coloured lines for a person at a terminal, through pino-pretty as a
 * transport (a worker thread), loaded only then.
 */
import { pino, type Logger, type LoggerOptions } from 'pino';

/** How log lines are written: `json` (one object a line) or `pretty` (pino-pretty: time, level, message, fields). */
export type LogFormat = 'json' | 'pretty';

export const LOG_FORMATS: readonly LogFormat[] = ['json', 'pretty'];

/**
 * A logger at `level` writing `format` to stdout.
 * @param colour Colour the pretty lines (ANSI escapes). @default whether stdout is a terminal
 */
export function createLogger(level: string, format: LogFormat = 'json', colour = process.stdout.isTTY === true): Logger {
  const options: LoggerOptions = {
    name: 'facegate',
    level,
    redact: {
      paths: ['req.headers.authorization', 'req.headers["x-api-key"]', '*.password', '*.secret', '*.apiKey', '*.base64'],
      censor: '[redacted]',
    },
  };
  if (format === 'json') return pino(options);
  // The transport's worker cannot tell whether the process's stdout is a terminal: the colour is decided here.
  return pino({
    ...options,
    transport: { target: 'pino-pretty', options: { colorize: colour, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } },
  });
}
