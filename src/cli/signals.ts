// Ctrl-C (SIGINT) and SIGTERM around the phases of a command. Node's default is to die at once,
// which is right while nothing is at stake; these take over while something would be lost:
// a fit stops after its epoch (see fitWithProgress), a file being written is finished first, an
// evaluation stops between users.

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
export type HeldSignal = (typeof SIGNALS)[number];

/** The exit code of a process ended by `signal`, as a shell reports it (128 + its number). */
export function exitCodeOf(signal: HeldSignal): number {
  return signal === 'SIGINT' ? 130 : 143;
}

/**
 * Runs `work` (writing files) with SIGINT and SIGTERM held: a signal that arrives meanwhile is
 * noted (and `notice` printed once), and reported when the work is done, so no file is left
 * half-written and no temp file behind. A second signal is held too: the writes are short.
 */
export async function holdingSignals<T>(notice: string, work: () => Promise<T>): Promise<{ value: T; signal?: HeldSignal }> {
  let signal: HeldSignal | undefined;
  const handlers = SIGNALS.map((name) => {
    const handler = () => {
      if (signal === undefined) console.error(`\ninterrupted: ${notice}`);
      signal ??= name;
    };
    process.on(name, handler);
    return [name, handler] as const;
  });
  try {
    return { value: await work(), signal };
  } finally {
    for (const [name, handler] of handlers) process.off(name, handler);
  }
}

/**
 * An AbortSignal that SIGINT or SIGTERM aborts (once; a second signal then gets Node's default and
 * ends the process at once), for work that can stop between steps. `dispose` restores the default.
 */
export function abortOnSignals(notice: string): { signal: AbortSignal; received(): HeldSignal | undefined; dispose(): void } {
  const controller = new AbortController();
  let got: HeldSignal | undefined;
  const handlers = SIGNALS.map((name) => {
    const handler = () => {
      got = name;
      dispose();
      console.error(`\ninterrupted: ${notice}`);
      controller.abort();
    };
    process.on(name, handler);
    return [name, handler] as const;
  });
  function dispose() {
    for (const [name, handler] of handlers) process.off(name, handler);
  }
  return { signal: controller.signal, received: () => got, dispose };
}

/** A command stopped by a signal after keeping what it could; main prints the message and exits 128 + signal. */
export class CommandInterrupted extends Error {
  constructor(
    readonly signal: HeldSignal,
    message: string,
  ) {
    super(message);
    this.name = 'CommandInterrupted';
  }
}
