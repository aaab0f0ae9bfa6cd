// Serving from a model file: `latentrec recommend`, `latentrec similar`, `latentrec evaluate`.
import { Dataset, IdMap } from '../data/dataset.js';
import { DataError, OptionError } from '../errors.js';
import { evaluate } from '../eval/cross-validate.js';
import { evaluateModelRanking } from '../eval/model-scorer.js';
import { describeSample, rankingPlan, rankingTest, type RankingFlags } from './ranking-sample.js';
import type { RankingProtocol } from '../eval/ranking-protocol.js';
import { integerId, type IdType } from '../models/core/serving.js';
import { loadModelFile } from '../io/model-file-node.js';
import { Hybrid } from '../models/ranking/hybrid.js';
import { FactorModel } from '../models/registry.js';
import { loadFile } from './load.js';
import { parseOptions, type DataFlags } from './options.js';
import { loadTitles } from './titles.js';
import { forTerminal, jsonForTerminal } from './terminal.js';

interface ServeFlags {
  model: string;
  n?: string;
  json?: boolean;
  /** 'number' writes the JSON's ids as numbers (the model's ids must be integers). */
  idType?: string;
  /** A u.item-style file (id|title|...) the user names; titles never come from the model file. */
  titles?: string;
}

function count(flag: string, value: string | undefined, fallback: number): number {
  const n = value === undefined ? fallback : Number(value);
  if (!Number.isInteger(n) || n < 1) throw new OptionError(flag, 'an integer >= 1', value);
  return n;
}

async function open(path: string, titlesPath?: string): Promise<{ model: FactorModel; titles?: Map<string, string> }> {
  const titles = titlesPath === undefined ? undefined : loadTitles('--titles', titlesPath);
  const state = await loadModelFile(path);
  return { model: FactorModel.fromState(state), titles };
}

function idTypeOf(value: string | undefined): IdType {
  if (value === undefined || value === 'string' || value === 'number') return value ?? 'string';
  throw new OptionError('--id-type', 'string or number', value);
}

/** An item id the user typed, as the JSON writes it: a number with --id-type number. */
function queryItem(id: string, idType: IdType): string | number {
  if (idType === 'string') return id;
  const n = integerId(id);
  if (n === undefined) throw new OptionError('--item', 'an integer with --id-type number', id);
  return n;
}

/**
 * The user's id as the JSON writes it. --id-type is about the listed items' ids, which the model
 * holds: a user id is a number when it is an integer's decimal form and stays a string otherwise,
 * so data with named users and numbered items can still ask for numbers.
 */
function queryUser(id: string, idType: IdType): string | number {
  return idType === 'number' ? (integerId(id) ?? id) : id;
}

/** The library's refusal of ids that are not integers, in the command's words. */
function listed<T>(list: () => T): T {
  try {
    return list();
  } catch (error) {
    if (error instanceof DataError && error.message.includes("idType 'number' needs ids that are integers")) {
      throw new DataError(error.message.replace("(use idType 'string')", '(leave out --id-type number)'));
    }
    throw error;
  }
}

/**
 * The list as rows of `id`, `score` (and `title`), the names every list of the library uses.
 * `item` repeats `id` for scripts written before 0.1 took `id`; it goes in the next minor version.
 */
function print(json: boolean | undefined, key: 'user' | 'item', id: string | number, items: { id: string | number; score: number }[], titles?: Map<string, string>) {
  const rows = items.map((r) => {
    const title = titles?.get(String(r.id));
    return { id: r.id, score: r.score, ...(title !== undefined ? { title } : {}), item: r.id };
  });
  if (json) {
    console.log(jsonForTerminal({ [key]: id, items: rows }));
    return;
  }
  // Ids and titles come from files: one inert line each, whatever they hold.
  for (const r of rows) console.log(`${r.score.toFixed(4).padStart(8)}  ${forTerminal(String(r.id))}${r.title ? `  ${forTerminal(r.title)}` : ''}`);
}

export async function recommendCommand(flags: ServeFlags & { user?: string; features?: string }): Promise<void> {
  const n = count('-n', flags.n, 10);
  const idType = idTypeOf(flags.idType);
  const { model, titles } = await open(flags.model, flags.titles);
  if (flags.features !== undefined) {
    // A new user described by attributes (hybrid models): cold start.
    if (!(model instanceof Hybrid)) throw new Error(`--features needs a hybrid model (latentrec train --model hybrid); ${flags.model} is not one`);
    const names = flags.features.split(',').map((s) => s.trim()).filter(Boolean);
    if (names.length === 0) throw new OptionError('--features', 'a comma-separated list of feature names', flags.features);
    const added = model.addUser(flags.user ?? 'new-user', names);
    print(flags.json, 'user', queryUser(added, idType), listed(() => model.recommend(added, { n, idType })), titles);
    return;
  }
  const user = flags.user;
  if (user === undefined) throw new Error('give --user ID, or --features for a new user of a hybrid model');
  print(flags.json, 'user', queryUser(user, idType), listed(() => model.recommend(user, { n, idType })), titles);
}

export async function similarCommand(flags: ServeFlags & { item: string }): Promise<void> {
  const n = count('-n', flags.n, 10);
  const idType = idTypeOf(flags.idType);
  const item = queryItem(flags.item, idType);
  const { model, titles } = await open(flags.model, flags.titles);
  print(flags.json, 'item', item, listed(() => model.similarItems(flags.item, { n, idType })), titles);
}

export interface EvaluateFlags extends DataFlags, RankingFlags {
  model: string;
  test: string;
  k?: string;
  protocol?: string;
  relevance?: string;
  seed?: string;
  json?: boolean;
}

export async function evaluateCommand(flags: EvaluateFlags): Promise<void> {
  const k = count('--k', flags.k, 10);
  const protocol = (flags.protocol ?? 'full') as RankingProtocol;
  if (protocol !== 'full' && protocol !== 'faq') throw new OptionError('--protocol', 'full or faq', flags.protocol);
  const relevance = flags.relevance === undefined ? 4 : Number(flags.relevance);
  if (!Number.isFinite(relevance)) throw new OptionError('--relevance', 'a number', flags.relevance);
  const plan = rankingPlan(flags);
  const seed = flags.seed === undefined ? 0 : Number(flags.seed);
  if (!Number.isSafeInteger(seed)) throw new OptionError('--seed', 'an integer', flags.seed);
  const { model } = await open(flags.model);
  // A Bayesian FM with the day group scores each test rating on its day: the file's times are read.
  const test = (await loadFile(flags.test, { ...parseOptions(flags), ...(model.toState().days ? { timestamps: true } : {}) })).dataset;
  const scores = evaluate(model, test);
  const ranked = rankingTest(test, plan.users, seed);
  const ranking = plan.rank ? evaluateModelRanking(model, seenDataset(model), ranked.test, { k, protocol, relevance }) : undefined;
  const report = {
    rmse: scores.rmse,
    mae: scores.mae,
    ...(ranking && {
      ranking: {
        k, precision: ranking.precision, recall: ranking.recall, ndcg: ranking.ndcg, map: ranking.map,
        auc: ranking.auc, coverage: ranking.coverage, protocol, relevance, users: ranking.users, ...(ranked.sample && { sampledUsers: ranked.sample }),
      },
    }),
  };
  if (flags.json) {
    console.log(jsonForTerminal(report));
    return;
  }
  console.log(`RMSE ${report.rmse.toFixed(4)}, MAE ${report.mae.toFixed(4)} on ${test.size} ratings`);
  const r = report.ranking;
  if (!r) return;
  console.log(
    `${protocol} protocol, k=${k}, relevant = rating >= ${relevance}, ${r.users} users${describeSample(ranked.sample)}: precision ${r.precision.toFixed(4)}, ` +
      `recall ${r.recall.toFixed(4)}, NDCG ${r.ndcg.toFixed(4)}, MAP ${r.map.toFixed(4)}, AUC ${r.auc.toFixed(4)}, coverage ${r.coverage.toFixed(4)}`,
  );
}

/** The (user, item) pairs the model saw in training, as a Dataset (ratings unknown, set to 0). */
function seenDataset(model: FactorModel): Dataset {
  const state = model.toState();
  const users = new Uint32Array(state.seenItems.length);
  for (let u = 0; u < state.userIds.length; u++) users.fill(u, state.seenStart[u], state.seenStart[u + 1]);
  return new Dataset(IdMap.from(state.userIds), IdMap.from(state.itemIds), users, state.seenItems.slice(), new Float32Array(users.length), state.scale);
}
