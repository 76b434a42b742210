/** What every CLI command gets: streams, environment and a signal that fires on Ctrl-C / SIGTERM. */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/** Documented exit codes (README: "Exit codes"). */
export const EXIT = {
  ok: 0,
  /** A check or the run failed (doctor found a failing check, the tunnel could not start). */
  failure: 1,
  /** The command line or configuration is invalid: the message says what to change. */
  usage: 2,
  /** Interrupted (Ctrl-C) before it finished. */
  interrupted: 130,
} as const;

export class UsageError extends Error {
  readonly code = 'usage';
}
