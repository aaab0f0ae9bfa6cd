// The one fit loop: fit, fitAsync and partialFit of every kind run their epochs here. Around the
// model's own pass (a Trainer) it holds what no model should do again: the memory check before
// anything is allocated, the engine and its threads, divergence, checkpoint, abort between epochs,
// early stopping and the notes on how the fit ran. What differs between the families (a rating
// model's RMSE and validation scores, a ranking model's loss) comes in as a FitScoring.
import type { Dataset } from '../../data/dataset.js';
import { residentMemoryOf } from '../../util/resident-memory.js';
import { concreteEngine, makeEngine, type Engine, type EngineChoice, type FactorBlock, type ThreadSupport, type WasmVariant } from '../../engine/index.js';
import { DivergenceError, LatentrecError } from '../../errors.js';
import { checkMemory } from './memory-limit.js';
import type { RandomKind } from './options.js';
import type { EpochLoss, EpochReport } from './types.js';

/**
 * The settings every kind has, as the fit loop and the engine need them: what `model.settings`
 * returns (without `threading`), whatever the kind's own option names.
 */
export interface ModelShape {
  /**
   * Latent factors of the fitted model (0 for a model without factors: Baseline, Popular, EASE;
   * the Bayesian FM: k × servingSamples, its served samples side by side).
   */
  factors: number;
  /** Whether predictions include μ + b_u + b_i. */
  biased: boolean;
  /** Passes of the fit loop (0: computed in closed form). */
  epochs: number;
  /** The engine asked for: 'auto', 'wasm' or 'js'. */
  engine: EngineChoice;
  /** The wasm build the fit was asked to use, or undefined for the best this runtime supports. */
  wasmVariant: WasmVariant | undefined;
  /** Seed of the random generator (0 for kinds without one). */
  seed: number;
  /** The random generator. */
  rng: RandomKind;
  /** Threads a fit asks for, for the kinds that train on several (see their `threads` option); models without it train on one thread. */
  threads?: number | 'auto';
  /** Blocked SGD: the grid's bins per side (default from the data); threads beyond them would idle. */
  bins?: number;
  /**
   * Models that train on worker threads: how (see Threading).
   * @internal
   */
  threading?: Threading;
}

/**
 * Worker threads for a fit (blocked SGD): the engine support that runs them and the count a fit
 * of `train` asks for. Only the models that use threads hand it over (core/blocked-threads.ts, ranking/row-threads.ts),
 * so no other model's bundle carries the -threads wasm builds.
 * @internal
 */
export interface Threading {
  /** What starts the engine's worker threads (wasmThreadSupport). */
  support: ThreadSupport;
  /** The thread count a fit of `train` with these settings asks the engine for. */
  threadsFor(shape: ModelShape, train: Dataset): number;
  /** Why a fit runs on fewer threads than the options ask for, when the model's own limits say so. */
  note?(shape: ModelShape, train: Dataset, engine: Engine): string | undefined;
}

/** One fit or partialFit, prepared by the model inside its engine: what the loop drives. */
export interface FitRun {
  /** Epochs to run (0: a model computed in closed form). */
  epochs: number;
  /** One pass over the training data; its loss. */
  epoch(): EpochLoss;
  /** After a pass: brings what predictions use up to date (SVD++ folds its implicit part into P). */
  refresh(): void;
  /** Whether every parameter is finite and within PARAMETER_LIMIT. */
  bounded(): boolean;
  /** A copy of what predictions use that outlives later epochs (checkpoint, best epoch). */
  keep(): FactorBlock;
  /** Installs the result in the model: `kept` (a copy from keep()), or the current parameters. */
  finish(kept?: FactorBlock): void;
}

/** The family's part of an epoch: its report, and the figure the best epoch minimises. */
export interface FitScoring<R extends EpochReport> {
  /** The epoch's report (rating models add train RMSE and the validation scores). */
  report(epoch: number, loss: EpochLoss, seconds: number): R;
  /** The figure checkpoint and early stopping minimise (validation RMSE, else the loss). */
  criterion(report: R): number;
  /** A model without epochs gets one point on its curve (PureSVD: epoch 0), or none. */
  closedForm?(): R | undefined;
}

/** Early stopping, resolved (see rating/early-stopping.ts). */
export interface Stopping {
  patience: number;
  minDelta: number;
  restoreBest: boolean;
}

/** What the caller asked of the loop. */
export interface LoopControl<R extends EpochReport> {
  onEpoch?(report: R): void;
  checkpoint: boolean;
  signal?: AbortSignal;
  stopping?: Stopping;
  /** What to change when the fit diverges (the learning rate, the regularization). */
  divergenceHint: string;
  /** Whether the checkpoint option applies to this kind (suggested on divergence). */
  supportsCheckpoint: boolean;
}

export interface LoopOutcome<R extends EpochReport> {
  epochs: R[];
  bestEpoch?: number;
  aborted?: boolean;
  keptEpoch?: number;
}

/**
 * Runs the epochs of `run`, yielding between them (fitAsync gives the event loop a turn there).
 * A non-finite loss, a parameter beyond the limit or a non-finite criterion stop the fit with a
 * DivergenceError (the model keeps the best epoch with checkpoint). The abort signal is checked
 * between epochs; early stopping ends after `patience` epochs without improvement.
 */
export function* runEpochs<R extends EpochReport>(run: FitRun, scoring: FitScoring<R>, control: LoopControl<R>): Generator<void, LoopOutcome<R>> {
  const epochs: R[] = [];
  const { stopping } = control;
  // The best epoch so far: early stopping's (by validation RMSE), or the checkpoint's. A copy when
  // it must outlive later epochs.
  let best: { criterion: number; epoch: number; factors?: FactorBlock } | undefined;
  const keepCopies = (stopping?.restoreBest ?? false) || control.checkpoint;
  const diverged = (epoch: number): DivergenceError => {
    const kept = control.checkpoint && best ? best : undefined;
    if (kept) run.finish(kept.factors);
    return new DivergenceError(epoch, epochs, control.divergenceHint, kept?.epoch, control.supportsCheckpoint);
  };
  let aborted = false;
  for (let epoch = 1; epoch <= run.epochs; epoch++) {
    if (epoch > 1) {
      yield;
      if (control.signal?.aborted) {
        aborted = true;
        break;
      }
    }
    const t0 = performance.now();
    const loss = run.epoch();
    // Each error is taken before its own update, so the pass's loss can stay finite while the
    // updates blow up: the parameters themselves are checked too.
    if (!Number.isFinite(loss.value) || !run.bounded()) throw diverged(epoch);
    run.refresh();
    const report = scoring.report(epoch, loss, (performance.now() - t0) / 1000);
    const criterion = scoring.criterion(report);
    if (!Number.isFinite(criterion)) throw diverged(epoch);
    epochs.push(report);
    control.onEpoch?.(report);
    if (best === undefined || criterion < best.criterion - (stopping?.minDelta ?? 0)) {
      // Only what predictions use is kept: what restoring needs once the fit ends.
      best = { criterion, epoch, factors: keepCopies ? run.keep() : undefined };
    } else if (stopping && epoch - best.epoch >= stopping.patience) {
      break;
    }
  }
  if (run.epochs === 0) {
    const report = scoring.closedForm?.();
    if (report) {
      epochs.push(report);
      control.onEpoch?.(report);
    }
  }
  const restore = best?.factors !== undefined && ((stopping?.restoreBest ?? false) || (aborted && control.checkpoint));
  run.finish(restore ? best!.factors : undefined);
  return {
    epochs,
    bestEpoch: (stopping || control.checkpoint) && best ? best.epoch : undefined,
    ...(aborted ? { aborted: true, keptEpoch: restore ? best!.epoch : epochs.at(-1)!.epoch } : {}),
  };
}

/** What a fit needs of an engine: for the memory check, the thread count and the notes. */
export interface EngineRequest {
  /** The model's name, for messages ("SVD: this fit needs about 6.6 GB ..."). */
  model: string;
  train: Dataset;
  shape: ModelShape;
  /** Bytes of engine memory the model needs beyond the ratings and the factor rows. */
  extraMemoryBytes(stride: number): number;
  /** The engine to train in (partialFit: one like the model's), else a fresh one with threads. */
  engine?: () => Engine;
}

/**
 * Runs `body` in an engine made for this fit, after checking that it fits in wasm32's 4 GiB
 * (before anything is allocated); the engine is disposed whatever happens. Returns what `body`
 * returned with the threads that ran and the notes on how the fit ran.
 */
export function* inEngine<T>(request: EngineRequest, body: (engine: Engine) => Generator<void, T>): Generator<void, { value: T; threads: number; notes: string[] }> {
  const { model, train } = request;
  // The engine that will run: the memory check, the threads and the notes are about it ('auto'
  // is js where the runtime refuses WebAssembly).
  const shape = concreteShape(request.shape);
  checkMemory(model, train, shape, (stride) => request.extraMemoryBytes(stride));
  const threading = shape.threading;
  const engine = request.engine?.() ?? makeEngine(request.shape.engine, shape.wasmVariant, { threads: threading?.threadsFor(shape, train) ?? 1, threadSupport: threading?.support, memory: residentMemoryOf(train) });
  try {
    const value = yield* body(engine);
    return { value, threads: engine.threads, notes: fitNotes(shape, engine, train) };
  } finally {
    engine.dispose();
  }
}

/** `shape` with engine 'auto' made the engine makeEngine('auto') gives: wasm where a build runs here (or one is forced), else js. */
function concreteShape(shape: ModelShape): ModelShape {
  return shape.engine === 'auto' ? { ...shape, engine: concreteEngine(shape.engine, shape.wasmVariant) } : shape;
}

/** Runs a fit generator to its end without yielding (fit, partialFit). */
export function runToEnd<T>(steps: Generator<void, T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** Runs a fit generator, giving the event loop a turn between epochs (fitAsync). */
export async function runWithTurns<T>(steps: Generator<void, T>): Promise<T> {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await nextTurn();
  }
}

/** A turn of the event loop (setImmediate in Node; a zero-delay timer elsewhere). */
function nextTurn(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (fn: () => void) => unknown }).setImmediate;
  return new Promise((resolve) => (immediate ? immediate(resolve) : setTimeout(resolve, 0)));
}

/** Refuses a fit whose signal was aborted before it started: nothing would be trained. */
export function checkNotAborted(where: string, signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new LatentrecError(`${where}: the signal was aborted before the first epoch; nothing was trained`);
}

/** What the user should know about how the fit ran: fewer threads than asked for, and why. */
function fitNotes(shape: ModelShape, engine: Engine, train: Dataset): string[] {
  const notes: string[] = [];
  if (engine.note) notes.push(engine.note);
  if (engine.threadsNote) notes.push(engine.threadsNote);
  const limited = engine.threadsNote ? undefined : shape.threading?.note?.(shape, train, engine);
  if (limited) notes.push(limited);
  if (shape.engine === 'js' && typeof shape.threads === 'number' && shape.threads > 1) {
    notes.push(`running on 1 thread instead of ${shape.threads}: the js engine has no worker threads (use engine 'wasm')`);
  }
  return notes;
}
