/** Structured JSON logs (pino) with secrets redacted wherever they appear. */
import { pino, type Logger } from 'pino';

export function createLogger(level: string): Logger {
  return pino({
    name: 'facegate',
    level,
    redact: {
      paths: ['req.headers.authorization', 'req.headers["x-api-key"]', '*.password', '*.secret', '*.apiKey', '*.base64'],
      censor: '[redacted]',
    },
  });
}
