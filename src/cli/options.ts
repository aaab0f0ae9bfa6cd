// Command-line flags shared by the commands, turned into library options. Range checks stay in
// the library; errors it raises are re-labelled with the flag the user typed.
import { Command, Option } from 'commander';
import type { ParseOptions, RatingsFormat } from '../data/parse.js';
import { OptionError } from '../errors.js';
import type { Model } from '../models/core/model.js';
import { RatingBase } from '../models/rating/rating-base.js';
import { createModel, kindRow, MODEL_KINDS, PRESETS, type ModelKind, type ModelSpec, type PresetName } from '../models/registry.js';

export { MODEL_KINDS };
export type { ModelKind };

/** Whether the kind ranks (implicit feedback: trained on interactions, judged by ranking metrics). */
export function isRankingKind(kind: ModelKind): boolean {
  return kindRow(kind).task === 'ranking';
}

/** cv, curve and search score rating accuracy: refuse the ranking models with a pointer to train. */
export function requireRatingModel(command: string, kind: ModelKind): void {
  if (isRankingKind(kind)) {
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
  samples: '--samples',
  burnIn: '--burn-in',
  bags: '--bags',
  ordinal: '--ordinal',
  time: '--time',
  timestamps: '--time',
  alpha: '--alpha',
  alpha0: '--alpha0',
  nu: '--nu',
  userReg: '--reg',
  itemReg: '--reg',
};

/**
 * Re-labels an OptionError from the library with the CLI flag (`rename` overrides the map); a value
 * the flag's text did not parse as (NaN from "abc") is shown as the text the user typed.
 */
export function asFlagError(error: unknown, rename: Record<string, string> = {}, typed: Record<string, string | undefined> = {}): unknown {
  const flag = error instanceof OptionError ? rename[error.option] ?? FLAG_OF[error.option] : undefined;
  if (!(error instanceof OptionError) || !flag) return error;
  const text = typed[flag];
  const value = typeof error.value === 'number' && Number.isNaN(error.value) && text !== undefined ? text : error.value;
  return new OptionError(flag, error.allowed, value);
}

export function addModelOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--model <kind>',
        // From the registry: every kind, each with its one-line summary (svd is the default).
        MODEL_KINDS.map((kind) => `${kind}: ${kindRow(kind).summary}`).join('; ') + ' (default svd)',
      ).choices([...MODEL_KINDS]),
    )
    .option('--implicit-threshold <r>', 'for the ranking kinds: a rating >= r is an interaction, and a test rating >= r is relevant (default: every rating an interaction; relevant >= 4)')
    .addOption(new Option('--loss <loss>', 'hybrid: warp (default), bpr or logistic').choices(['warp', 'bpr', 'logistic']))
    .option('--max-sampled <n>', 'hybrid with warp: most negatives drawn per positive (default 10)')
    .option('--alpha <x>', 'als: confidence 1 + alpha x value (default 10)')
    .option('--alpha0 <x>', 'ials: the weight of every cell, observed or not, in the squared-score term (default 0.5)')
    .option('--nu <x>', 'ials: the exponent of the frequency scaling of --reg (default 1)')
    .addOption(new Option('--identity <sides>', 'hybrid: identity features for both (default), users, items or none').choices(['both', 'users', 'items', 'none']))
    .option('--user-features <file>', 'hybrid, bfm: user attributes, lines "user,feature[,weight]" (tab or comma)')
    .option('--item-features <file>', 'hybrid, bfm: item attributes, lines "item,feature[,weight]" (tab or comma)')
    .option('--ml100k-features <dir>', 'hybrid, bfm: user and item attributes from MovieLens 100k u.user and u.item (age, gender, occupation, zip; genres, year)')
    .addOption(new Option('--preset <name>', 'recommended: the best SGD model found by honest cross-validation (SVD++, SVD init); accurate: the Bayesian FM with bags and, where the data has them, attributes and the rating\'s day (k=16, 200 sweeps)').choices(Object.keys(PRESETS)))
    .option('--factors <n>', 'latent factors (default 100; svdpp 20)')
    .option('--epochs <n>', 'SGD epochs (default 20; baseline ALS 10 iterations)')
    .option('--samples <n>', 'bfm: Gibbs sweeps in all, burn-in included (default 200)')
    .option('--burn-in <n>', 'bfm: the first sweeps, left out of the posterior mean (default 10)')
    .option('--bags <sides>', "bfm: implicit-feedback bags as feature groups: user (the items a user rated; the default), item (the users who rated an item), user,item, or none (plain Bayesian MF)")
    .option('--ordinal', 'bfm: an ordered-probit output for ratings on a discrete scale (2 to 20 values); estimates are expected levels')
    .option('--time', "bfm: the rating's day as a feature group (reads the files' time column: MovieLens files have one; other text: --columns u,i,r,t or a header naming it)")
    .option('--lr <x>', 'learning rate of every parameter (default 0.005; svdpp 0.007)')
    .option('--reg <x>', 'regularization of every parameter (default 0.02)')
    .option('--seed <n>', 'random seed (default 0)')
    .addOption(
      new Option('--order <order>', "order per epoch: blocked (LIBMF's grid; default for svd, mf, bpr, hybrid), shuffle (svdpp's default), fixed (baseline's)")
        .choices(['blocked', 'shuffle', 'fixed']),
    )
    .option('--threads <n>', 'threads for --order blocked (svd, mf, bpr, hybrid), svdpp, als, ials, ease and bfm with --bags none, or auto (default: every core from 500,000 ratings; als and ials from 100,000, bfm from 50,000, ease from 500 items; svdpp 1; the model is the same for any count, but for svdpp and the hybrid with shared attributes, which train Hogwild)')
    .option('--bins <n>', 'bins per side of the blocked grid, 1..256 (default: from the data size and k)')
    .addOption(new Option('--init <init>', 'starting factors: random (default) or svd (truncated SVD of the user-mean-filled matrix)').choices(['random', 'svd']))
    .option('--init-scale <s>', 'with --init svd: factors start at s·U·sqrt(Σ), s·V·sqrt(Σ) (default 0.2)')
    .addOption(new Option('--engine <engine>', 'kernel engine (default auto: wasm where it compiles, else js)').choices(['auto', 'wasm', 'js']))
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
    .option('--columns <u,i,r[,t]>', '0-based user, item, rating (and, with --time, time) columns of delimited text (default 0,1,2)');
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
  engine?: 'auto' | 'wasm' | 'js';
  rng?: 'mt19937' | 'xoshiro128';
  loss?: 'warp' | 'bpr' | 'logistic';
  maxSampled?: string;
  alpha?: string;
  alpha0?: string;
  nu?: string;
  samples?: string;
  burnIn?: string;
  identity?: 'both' | 'users' | 'items' | 'none';
  userFeatures?: string;
  itemFeatures?: string;
  ml100kFeatures?: string;
  bags?: string;
  ordinal?: boolean;
  time?: boolean;
}

/** The model flags that take numbers (the others are choices or file paths). */
const NUMERIC_FLAGS = ['factors', 'epochs', 'lr', 'reg', 'seed', 'bins', 'initScale', 'alpha', 'alpha0', 'nu', 'maxSampled', 'samples', 'burnIn'] as const;
/** The model flags a kind's registry row may map to its options. */
const MODEL_FLAGS = [...NUMERIC_FLAGS, 'threads', 'order', 'init', 'engine', 'rng', 'loss', 'identity', 'bags', 'ordinal', 'time'] as const;
/** Fit-time flags of kinds that take attributes (the registry's `attributes` capability). */
const FEATURE_FLAGS = ['userFeatures', 'itemFeatures', 'ml100kFeatures'] as const;

/** The value a flag stands for: numbers as numbers (NaN for text that is none), 'auto' threads as is. */
function flagValue(name: string, text: string): unknown {
  if (name === 'threads') return text === 'auto' ? text : Number(text);
  return (NUMERIC_FLAGS as readonly string[]).includes(name) ? Number(text) : text;
}

/** `--init-scale`, `--max-sampled`: the flag as the user typed it. */
function flagName(option: string): string {
  return `--${option.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`)}`;
}

function listOf(names: readonly string[]): string {
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/**
 * The options of `kind` from the flags, by its registry row; a flag the kind does not take is
 * refused, naming the kinds it applies to (or the row's reason, e.g. "has no gradient descent").
 */
function specOf(kind: ModelKind, flags: ModelFlags): Record<string, unknown> {
  const row = kindRow(kind);
  const given = MODEL_FLAGS.filter((f) => flags[f] !== undefined);
  const refused = row.refuses ? given.filter((f) => row.refuses!.flags.includes(f)) : [];
  if (refused.length > 0) {
    throw new Error(`--model ${kind} ${row.refuses!.reason}: ${refused.map(flagName).join(', ')} do${refused.length === 1 ? 'es' : ''} not apply`);
  }
  const spec: Record<string, unknown> = {};
  for (const f of given) {
    const mapping = (row.flags as Record<string, unknown>)[f] as string | readonly string[] | ((value: unknown) => Record<string, unknown>) | undefined;
    if (mapping === undefined) {
      const takers = MODEL_KINDS.filter((k) => (kindRow(k).flags as Record<string, unknown>)[f] !== undefined);
      throw new Error(`${flagName(f)} applies to --model ${listOf(takers)}`);
    }
    const value = flagValue(f, flags[f] as string);
    if (typeof mapping === 'function') Object.assign(spec, mapping(value));
    else for (const option of typeof mapping === 'string' ? [mapping] : mapping) spec[option] = value;
  }
  if (!row.capabilities.attributes) {
    const featureFlags = FEATURE_FLAGS.filter((f) => flags[f] !== undefined);
    if (featureFlags.length > 0) {
      const takers = MODEL_KINDS.filter((k) => kindRow(k).capabilities.attributes);
      throw new Error(`${featureFlags.map(flagName).join(', ')} appl${featureFlags.length === 1 ? 'ies' : 'y'} to --model ${listOf(takers)}`);
    }
  }
  return spec;
}

/** Commands that fit without attributes (search, demo) refuse the attribute flags rather than ignore them. */
export function refuseAttributeFlags(command: string, flags: ModelFlags): void {
  const given = FEATURE_FLAGS.filter((f) => flags[f] !== undefined);
  if (given.length > 0) throw new Error(`${command} fits without attributes: ${given.map(flagName).join(', ')} appl${given.length === 1 ? 'ies' : 'y'} to train, cv and curve`);
}

export interface ModelFactory {
  /** The model kind actually built (a preset picks its own). */
  kind: ModelKind;
  /** The kind, with the preset when one was used: "svdpp (preset recommended)". */
  label: string;
  make(): Model;
  /** make(), for the commands that score ratings (cv, curve, search, demo): refused for ranking kinds. */
  makeRating(): RatingBase;
}

/**
 * A factory for the model the flags describe. It builds one model at once, so bad options fail
 * before any data is read.
 */
export function modelFactory(flags: ModelFlags): ModelFactory {
  const kind: ModelKind = flags.preset !== undefined ? PRESETS[flags.preset]?.model ?? 'svd' : flags.model ?? 'svd';
  const typed = Object.fromEntries(MODEL_FLAGS.map((f) => [flagName(f), flags[f] === undefined ? undefined : String(flags[f])]));
  let make: () => Model;
  try {
    const spec = { ...specOf(kind, flags), ...(flags.preset === undefined ? { model: kind } : { preset: flags.preset }) } as ModelSpec;
    if (flags.initScale !== undefined && flags.init !== 'svd' && flags.preset === undefined) {
      throw new Error('--init-scale applies with --init svd');
    }
    make = () => createModel(spec);
    make();
  } catch (error) {
    throw asFlagError(error, {}, typed);
  }
  const makeRating = (): RatingBase => {
    const model = make();
    if (!(model instanceof RatingBase)) throw new Error(`--model ${kind} ranks items; this command scores ratings (use latentrec train)`);
    return model;
  };
  return { kind, label: flags.preset ? `${kind} (preset ${flags.preset})` : kind, make, makeRating };
}

export interface DataFlags {
  format: RatingsFormat;
  scale?: string;
  duplicates: 'keep' | 'last' | 'mean';
  delimiter?: 'tab' | 'comma' | 'semicolon' | 'space';
  header?: boolean;
  columns?: string;
  /** --time (a model flag): the files' times are read too. */
  time?: boolean;
  /** A preset whose model takes the day when the data has times reads them when the files have a time column. */
  preset?: PresetName;
}

const DELIMITERS = { tab: '\t', comma: ',', semicolon: ';', space: ' ' } as const;

export function parseOptions(flags: DataFlags): ParseOptions {
  const options: ParseOptions = { format: flags.format, duplicates: flags.duplicates };
  const presetTime = flags.preset !== undefined ? (PRESETS[flags.preset]?.options as { time?: unknown } | undefined)?.time : undefined;
  if (flags.time) options.timestamps = true;
  else if (presetTime === 'auto') options.timestamps = 'if-present';
  if (flags.delimiter !== undefined) options.delimiter = DELIMITERS[flags.delimiter];
  if (flags.header !== undefined) options.header = flags.header;
  if (flags.columns !== undefined) {
    const parts = flags.columns.split(',').map((s) => Number(s.trim()));
    if (parts.length < 3 || parts.length > 4 || !parts.every((c) => Number.isInteger(c) && c >= 0) || new Set(parts).size !== parts.length) {
      throw new OptionError('--columns', 'three (or, for the times, four) different 0-based column numbers USER,ITEM,RATING[,TIME]', flags.columns);
    }
    options.columns = { user: parts[0], item: parts[1], rating: parts[2], ...(parts.length === 4 ? { time: parts[3] } : {}) };
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
