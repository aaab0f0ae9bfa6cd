// Command-line flags shared by the commands, turned into library options. Range checks stay in
// the library; errors it raises are re-labelled with the flag the user typed.
import { Command, Option } from 'commander';
import type { ParseOptions, RatingsFormat } from '../data/parse.js';
import { OptionError } from '../errors.js';
import type { SgdOptions } from '../models/options.js';
import { createModel, PRESETS, type ModelKind, type ModelSpec, type PresetName } from '../models/presets.js';
import type { FactorModel } from '../models/factor-model.js';

export const MODEL_KINDS: readonly ModelKind[] = ['svd', 'mf', 'svdpp', 'baseline', 'puresvd', 'bpr', 'als', 'hybrid', 'popular'];
/** Models of implicit feedback: trained on interactions, judged by ranking. */
export const IMPLICIT_KINDS: readonly ModelKind[] = ['bpr', 'als', 'hybrid', 'popular'];
export type { ModelKind };

/** cv, curve and search score rating accuracy: refuse the ranking models with a pointer to train. */
export function requireRatingModel(command: string, kind: ModelKind): void {
  if (IMPLICIT_KINDS.includes(kind)) {
    throw new Error(`${command} reports rating accuracy (RMSE/MAE); --model ${kind} ranks: use latentrec train --json, which reports ranking metrics`);
  }
}

const FLAG_OF: Record<string, string> = {
  factors: '--factors',
  epochs: '--epochs',
  lrAll: '--lr',
  regAll: '--reg',
  seed: '--seed',
  threshold: '--implicit-threshold',
  preset: '--preset',
  model: '--model',
  init: '--init',
  initScale: '--init-scale',
  lr: '--lr',
  reg: '--reg',
  order: '--order',
  threads: '--threads',
  bins: '--bins',
  engine: '--engine',
  testRatio: '--test-ratio',
  folds: '--folds',
  format: '--format',
  delimiter: '--delimiter',
  header: '--header',
  columns: '--columns',
  scale: '--scale',
  duplicates: '--duplicates',
  loss: '--loss',
  maxSampled: '--max-sampled',
  alpha: '--alpha',
  userReg: '--reg',
  itemReg: '--reg',
};

/** Re-labels an OptionError from the library with the CLI flag (`rename` overrides the map). */
export function asFlagError(error: unknown, rename: Record<string, string> = {}): unknown {
  const flag = error instanceof OptionError ? rename[error.option] ?? FLAG_OF[error.option] : undefined;
  if (error instanceof OptionError && flag) return new OptionError(flag, error.allowed, error.value);
  return error;
}

export function addModelOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--model <kind>',
        'svd (default, Surprise SVD), mf (plain), svdpp (SVD++), baseline (μ+b_u+b_i), puresvd (truncated SVD alone); ' +
          'implicit feedback: bpr, als (weighted ALS), hybrid (LightFM-style, with user/item features), popular (popularity)',
      ).choices([...MODEL_KINDS]),
    )
    .option('--implicit-threshold <r>', 'for bpr/als/hybrid/popular: a rating >= r is an interaction, and a test rating >= r is relevant (default: every rating an interaction; relevant >= 4)')
    .addOption(new Option('--loss <loss>', 'hybrid: warp (default), bpr or logistic').choices(['warp', 'bpr', 'logistic']))
    .option('--max-sampled <n>', 'hybrid with warp: most negatives drawn per positive (default 10)')
    .option('--alpha <x>', 'als: confidence 1 + alpha x value (default 10)')
    .addOption(new Option('--identity <sides>', 'hybrid: identity features for both (default), users, items or none').choices(['both', 'users', 'items', 'none']))
    .option('--user-features <file>', 'hybrid: user attributes, lines "user,feature[,weight]" (tab or comma)')
    .option('--item-features <file>', 'hybrid: item attributes, lines "item,feature[,weight]" (tab or comma)')
    .option('--ml100k-features <dir>', 'hybrid: user and item attributes from MovieLens 100k u.user and u.item (age, gender, occupation, zip; genres, year)')
    .addOption(new Option('--preset <name>', 'recommended: the most accurate settings found by honest cross-validation').choices(Object.keys(PRESETS)))
    .option('--factors <n>', 'latent factors (default 100; svdpp 20)')
    .option('--epochs <n>', 'SGD epochs (default 20; baseline ALS 10 iterations)')
    .option('--lr <x>', 'learning rate of every parameter (default 0.005; svdpp 0.007)')
    .option('--reg <x>', 'regularization of every parameter (default 0.02)')
    .option('--seed <n>', 'random seed (default 0)')
    .addOption(
      new Option('--order <order>', "rating order per epoch: blocked (LIBMF's grid; default for svd, mf), shuffle (svdpp's default), fixed (baseline's)")
        .choices(['blocked', 'shuffle', 'fixed']),
    )
    .option('--threads <n>', 'threads for --order blocked, or auto (default: every core from 500,000 ratings; the model is the same for any count)')
    .option('--bins <n>', 'bins per side of the blocked grid, 1..256 (default: from the data size and k)')
    .addOption(new Option('--init <init>', 'starting factors: random (default) or svd (truncated SVD of the user-mean-filled matrix)').choices(['random', 'svd']))
    .option('--init-scale <s>', 'with --init svd: factors start at s·U·sqrt(Σ), s·V·sqrt(Σ) (default 0.2)')
    .addOption(new Option('--engine <engine>', 'kernel engine (default wasm)').choices(['wasm', 'js']))
    .addOption(new Option('--rng <generator>', "generator for init and shuffles (default mt19937 = numpy's, as Surprise)").choices(['mt19937', 'xoshiro128']));
}

export function addDataOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--format <format>', 'ratings file format').choices(['auto', 'ml100k', 'ml1m', 'mlcsv', 'delimited']).default('auto'),
    )
    .option('--scale <lo,hi>', 'rating scale (default: inferred from the data)')
    .addOption(new Option('--duplicates <policy>', 'repeated (user, item) rows').choices(['keep', 'last', 'mean']).default('keep'))
    .addOption(new Option('--delimiter <d>', 'field delimiter of delimited text (default: detected)').choices(['tab', 'comma', 'semicolon', 'space']))
    .option('--header', 'the first line is a header (default: detected)')
    .option('--no-header', 'the first line is data')
    .option('--columns <u,i,r>', '0-based user, item and rating columns of delimited text (default 0,1,2)');
}

export interface ModelFlags {
  model?: ModelKind;
  implicitThreshold?: string;
  preset?: PresetName;
  factors?: string;
  epochs?: string;
  lr?: string;
  reg?: string;
  seed?: string;
  order?: 'blocked' | 'shuffle' | 'fixed';
  threads?: string;
  bins?: string;
  init?: 'random' | 'svd';
  initScale?: string;
  engine?: 'wasm' | 'js';
  rng?: 'mt19937' | 'xoshiro128';
  loss?: 'warp' | 'bpr' | 'logistic';
  maxSampled?: string;
  alpha?: string;
  identity?: 'both' | 'users' | 'items' | 'none';
  userFeatures?: string;
  itemFeatures?: string;
  ml100kFeatures?: string;
}

function numberFlag(value: string | undefined): number | undefined {
  return value === undefined ? undefined : Number(value);
}

/** Library options from the flags (undefined = the model's own default). */
export function modelOptions(flags: ModelFlags): SgdOptions {
  return {
    factors: numberFlag(flags.factors),
    epochs: numberFlag(flags.epochs),
    lrAll: numberFlag(flags.lr),
    regAll: numberFlag(flags.reg),
    seed: numberFlag(flags.seed),
    order: flags.order,
    threads: flags.threads === undefined || flags.threads === 'auto' ? flags.threads : Number(flags.threads),
    bins: numberFlag(flags.bins),
    init: flags.init,
    initScale: numberFlag(flags.initScale),
    engine: flags.engine,
    rng: flags.rng,
  };
}

export interface ModelFactory {
  /** The model kind actually built (a preset picks its own). */
  kind: ModelKind;
  /** The kind, with the preset when one was used: "svdpp (preset recommended)". */
  label: string;
  make(): FactorModel;
}

/**
 * A factory for the model the flags describe. It builds one model at once, so bad options fail
 * before any data is read.
 */
export function modelFactory(flags: ModelFlags): ModelFactory {
  const o = modelOptions(flags);
  const kind: ModelKind = flags.preset !== undefined ? PRESETS[flags.preset]?.model ?? 'svd' : flags.model ?? 'svd';
  const spec: ModelSpec =
    kind === 'baseline' && flags.preset === undefined
      ? baselineSpec(flags, o)
      : kind === 'bpr'
        ? { model: 'bpr', factors: o.factors, epochs: o.epochs, lr: o.lrAll, reg: o.regAll, seed: o.seed, engine: o.engine }
        : kind === 'als'
          ? { model: 'als', factors: o.factors, epochs: o.epochs, reg: o.regAll, alpha: numberFlag(flags.alpha), seed: o.seed, engine: o.engine }
          : kind === 'hybrid'
          ? hybridSpec(flags, o)
          : kind === 'popular'
          ? { model: 'popular', engine: o.engine }
          : { ...o, model: flags.model, preset: flags.preset };
  const make = (): FactorModel => createModel(spec);
  try {
    if (kind === 'puresvd') {
      const sgdOnly = (['epochs', 'lr', 'reg', 'init', 'initScale', 'order', 'rng'] as const).filter((f) => flags[f] !== undefined);
      if (sgdOnly.length > 0) {
        throw new Error(`--model puresvd has no gradient descent: ${sgdOnly.map(flagName).join(', ')} do${sgdOnly.length === 1 ? 'es' : ''} not apply`);
      }
    }
    if (kind !== 'svd' && kind !== 'mf' && kind !== 'svdpp') {
      const blockedOnly = (['threads', 'bins'] as const).filter((f) => flags[f] !== undefined);
      if (blockedOnly.length > 0) {
        throw new Error(`${blockedOnly.map(flagName).join(', ')} appl${blockedOnly.length === 1 ? 'ies' : 'y'} to --model svd and mf (blocked SGD)`);
      }
    }
    if (kind !== 'als' && flags.alpha !== undefined) throw new Error('--alpha applies to --model als');
    if (kind !== 'hybrid') {
      const hybridOnly = (['loss', 'maxSampled', 'identity', 'userFeatures', 'itemFeatures', 'ml100kFeatures'] as const).filter((f) => flags[f] !== undefined);
      if (hybridOnly.length > 0) {
        throw new Error(`${hybridOnly.map(flagName).join(', ')} appl${hybridOnly.length === 1 ? 'ies' : 'y'} to --model hybrid`);
      }
    }
    if (flags.initScale !== undefined && flags.init !== 'svd' && flags.preset === undefined) {
      throw new Error('--init-scale applies with --init svd');
    }
    make();
  } catch (error) {
    throw asFlagError(error);
  }
  return { kind, label: flags.preset ? `${kind} (preset ${flags.preset})` : kind, make };
}

function flagName(option: string): string {
  return FLAG_OF[option] ?? `--${option.replace(/[A-Z0-9]+/g, (m) => `-${m.toLowerCase()}`)}`;
}

function hybridSpec(flags: ModelFlags, o: SgdOptions): ModelSpec {
  const identity = flags.identity ?? 'both';
  return {
    model: 'hybrid', factors: o.factors, epochs: o.epochs, lr: o.lrAll, userReg: o.regAll, itemReg: o.regAll, seed: o.seed, engine: o.engine,
    loss: flags.loss, maxSampled: numberFlag(flags.maxSampled),
    userIdentity: identity === 'both' || identity === 'users', itemIdentity: identity === 'both' || identity === 'items',
  };
}

function baselineSpec(flags: ModelFlags, o: SgdOptions): ModelSpec {
  if (flags.factors !== undefined || flags.init !== undefined || flags.initScale !== undefined) {
    throw new Error('--model baseline has no factors: --factors, --init and --init-scale do not apply');
  }
  // --lr/--reg ask for the SGD baseline; otherwise Surprise's default ALS.
  const method = flags.lr !== undefined || flags.reg !== undefined ? 'sgd' : 'als';
  return { model: 'baseline', method, epochs: o.epochs, lr: o.lrAll, reg: o.regAll, order: o.order, seed: o.seed, engine: o.engine };
}

export interface DataFlags {
  format: RatingsFormat;
  scale?: string;
  duplicates: 'keep' | 'last' | 'mean';
  delimiter?: 'tab' | 'comma' | 'semicolon' | 'space';
  header?: boolean;
  columns?: string;
}

const DELIMITERS = { tab: '\t', comma: ',', semicolon: ';', space: ' ' } as const;

export function parseOptions(flags: DataFlags): ParseOptions {
  const options: ParseOptions = { format: flags.format, duplicates: flags.duplicates };
  if (flags.delimiter !== undefined) options.delimiter = DELIMITERS[flags.delimiter];
  if (flags.header !== undefined) options.header = flags.header;
  if (flags.columns !== undefined) {
    const parts = flags.columns.split(',').map((s) => Number(s.trim()));
    if (parts.length !== 3 || !parts.every((c) => Number.isInteger(c) && c >= 0) || new Set(parts).size !== 3) {
      throw new OptionError('--columns', 'three different 0-based column numbers USER,ITEM,RATING', flags.columns);
    }
    options.columns = { user: parts[0], item: parts[1], rating: parts[2] };
  }
  if (flags.scale !== undefined) {
    const parts = flags.scale.split(',').map((s) => Number(s.trim()));
    if (parts.length !== 2 || !parts.every(Number.isFinite) || !(parts[0] < parts[1])) {
      throw new OptionError('--scale', 'two numbers LO,HI with LO < HI', flags.scale);
    }
    options.scale = { lo: parts[0], hi: parts[1] };
  }
  return options;
}
