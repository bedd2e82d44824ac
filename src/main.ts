/**
 * `npm start`: loads configuration, starts the gateway and stops it
 * gracefully on SIGTERM/SIGINT.
 */
import './config/production-mode.js';
import 'reflect-metadata';
import { ConfigError } from './config/config.js';
import { loadConfig } from './config/load-config.js';
import { ExitCode } from './config/exit-codes.js';
import { createLogger } from './observability/logger.js';
import { startGateway } from './server.js';
import { DataDirError } from './store/sqlite/data-dir.js';

let config;
try {
  config = loadConfig();
} catch (e) {
  if (!(e instanceof ConfigError)) throw e;
  process.stderr.write(`facegate: invalid configuration\n${e.message}\n`);
  process.exit(ExitCode.Config);
}

const logger = createLogger(config.logLevel, config.logFormat);
let gateway;
try {
  gateway = await startGateway(config, logger);
} catch (e) {
  if (!(e instanceof DataDirError)) throw e;
  process.stderr.write(`facegate: cannot use the data directory\n${e.message}\n`);
  process.exit(ExitCode.DataDir);
}

/** A stop that takes longer than this (a service that does not answer) ends the process anyway. */
const STOP_DEADLINE_MS = 15_000;

let signals = 0;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (++signals > 1) process.exit(1);
    logger.info({ signal }, 'stopping');
    setTimeout(() => {
      logger.error({ deadlineMs: STOP_DEADLINE_MS }, 'graceful stop took too long; exiting');
      process.exit(1);
    }, STOP_DEADLINE_MS).unref();
    gateway.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'stop failed');
        process.exit(1);
      },
    );
  });
}
