// A progress bar for long work (epochs, folds), drawn on stderr only when a person is watching:
// stdout and stderr are terminals and no --json was asked for.
import cliProgress from 'cli-progress';

export interface Progress {
  start(total: number, label: string): void;
  update(value: number, detail?: string): void;
  stop(): void;
}

const silent: Progress = { start() {}, update() {}, stop() {} };

export function createProgress(enabled: boolean): Progress {
  if (!enabled || !process.stdout.isTTY || !process.stderr.isTTY) return silent;
  const bar = new cliProgress.SingleBar(
    { format: '{label} [{bar}] {value}/{total} {detail}', stream: process.stderr, hideCursor: true, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  return {
    start: (total, label) => bar.start(total, 0, { label, detail: '' }),
    update: (value, detail = '') => bar.update(value, { detail }),
    stop: () => bar.stop(),
  };
}
