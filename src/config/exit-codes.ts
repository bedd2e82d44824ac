/**
 * How the process ends when it cannot start, in sysexits(3) terms, so a
 * supervisor can tell a configuration to fix from a disk to mend.
 */
export const ExitCode = {
  /** Bad configuration (EX_CONFIG): the message names the field. */
  Config: 78,
  /** The data directory cannot be used: read-only, full, or not a directory (EX_IOERR). */
  DataDir: 74,
} as const;
