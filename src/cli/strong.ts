// `latentrec train --protocol strong`: the strong-generalization protocol (eval/strong-generalization.ts)
// from one interactions file. Whole users are held out (seeded), the model trains on the others,
// and each held-out user's history is scored without growing the model.
import { toImplicit } from '../data/implicit.js';
import { OptionError } from '../errors.js';
import { evaluateStrongGeneralization, strongGeneralizationSplit, type StrongGeneralizationReport } from '../eval/strong-generalization.js';
import { kindRow, MODEL_KINDS, PRESETS, type ModelKind, type PresetName } from '../models/registry.js';
import { describeLoad, loadFile, summaryJson } from './load.js';
import { asFlagError, isRankingKind, modelFactory, parseOptions } from './options.js';
import { createProgress } from './progress.js';
import { forTerminal, jsonForTerminal } from './terminal.js';
import { fitWithProgress, thresholdOf, type TrainFlags } from './train.js';

/** The flags that mean a test set or a validation split of the rows: the strong protocol holds out users instead. */
const ROW_SPLIT_FLAGS = [['test', '--test'], ['testRatio', '--test-ratio'], ['coldItems', '--cold-items'], ['patience', '--patience'], ['save', '--save'], ['plot', '--plot']] as const;

export interface StrongFlags extends TrainFlags {
  protocol?: string;
  heldoutUsers?: string;
}

export async function strongProtocolCommand(flags: StrongFlags): Promise<{ ranking: StrongGeneralizationReport }> {
  for (const [key, flag] of ROW_SPLIT_FLAGS) {
    if (flags[key] !== undefined) throw new Error(`${flag} does not apply to --protocol strong (it holds out whole users of --data and trains on the others)`);
  }
  for (const [key, flag] of [['userFeatures', '--user-features'], ['itemFeatures', '--item-features'], ['ml100kFeatures', '--ml100k-features']] as const) {
    if (flags[key] !== undefined) throw new Error(`${flag}: --protocol strong does not take attributes yet (a held-out user is scored from their history alone)`);
  }
  const kind: string = flags.preset === undefined ? flags.model ?? 'svd' : PRESETS[flags.preset as PresetName]?.model ?? flags.preset;
  if (!(MODEL_KINDS as readonly string[]).includes(kind) || !isRankingKind(kind as ModelKind)) {
    const ranking = MODEL_KINDS.filter(isRankingKind).join(', ');
    throw new OptionError('--model', `a ranking kind with --protocol strong (${ranking})`, kind);
  }
  // --seed seeds the split; a kind without a seed of its own (EASE, Popular) takes it for the split alone.
  const splitSeed = flags.seed === undefined ? 0 : Number(flags.seed);
  const takesSeed = Object.hasOwn(kindRow(kind as ModelKind).flags, 'seed');
  const factory = modelFactory(takesSeed ? flags : { ...flags, seed: undefined });
  const heldoutUsers = flags.heldoutUsers === undefined ? undefined : Number(flags.heldoutUsers);
  const threshold = thresholdOf(flags);
  const loaded = await loadFile(flags.data, parseOptions(flags), !flags.json);
  let split;
  try {
    split = strongGeneralizationSplit(toImplicit(loaded.dataset, { threshold }), { heldoutUsers, seed: splitSeed });
  } catch (error) {
    throw asFlagError(error, { heldoutUsers: '--heldout-users', seed: '--seed' });
  }
  const model = factory.make();
  const fit = await fitWithProgress(model, split.train, undefined, { json: flags.json, label: `${factory.label} epochs` });
  const progress = createProgress(!flags.json);
  progress.start(split.heldOut.length, 'scoring held-out users');
  let ranking: StrongGeneralizationReport;
  try {
    ranking = evaluateStrongGeneralization(model, split, { onProgress: (done) => progress.update(done) });
  } finally {
    progress.stop();
  }
  const report = {
    model: factory.label,
    data: { users: split.train.userCount, items: split.train.itemCount, interactions: split.train.size },
    fitSeconds: fit.fitSeconds,
    threads: fit.threads ?? 1,
    notes: fit.notes ?? [],
    load: [summaryJson(loaded.summary)],
    ranking,
  };
  if (flags.json) console.log(jsonForTerminal(report));
  else {
    console.log(forTerminal(describeLoad(loaded.summary)));
    console.log(
      `strong generalization (seed ${splitSeed}): trained on ${split.train.userCount} users (${split.train.size} interactions, ${split.train.itemCount} items) in ${fit.fitSeconds.toFixed(3)} s; ` +
        `${ranking.users} held-out users, 80 % of each one's items given, 20 % scored`,
    );
    console.log(`Recall@20 ${ranking.recall20.toFixed(4)}, Recall@50 ${ranking.recall50.toFixed(4)}, NDCG@100 ${ranking.ndcg100.toFixed(4)}`);
  }
  return report;
}
