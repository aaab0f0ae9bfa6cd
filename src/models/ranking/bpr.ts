// BPR (Rendle, Freudenthaler, Gantner & Schmidt-Thieme 2009) for implicit feedback: score
// s_ui = b_i + p_u·q_i, trained by SGD on (user, positive, sampled negative) triples to rank each
// user's items above the rest. Negatives are drawn uniformly from the catalogue by the host's
// seeded generator and, by default, verified (redrawn while the user interacted with them).
import { groupRows } from '../../data/group.js';
import type { Dataset } from '../../data/dataset.js';
import { sortedContains } from '../../util/sorted.js';
import type { U32 } from '../../engine/index.js';
import { DataError } from '../../errors.js';
import { optionsObject } from '../core/arguments.js';
import type { ModelShape, Trainer, TrainingSetup } from '../core/model.js';
import { checkOptionKeys, flag, nonNegative, positive } from '../core/options.js';
import type { FoldInSolver } from '../core/serving.js';
import { bprRowSolver } from './row-sgd.js';
import { LatentRanking, resolveImplicitCommon, type ImplicitCommonOptions, type ResolvedImplicitCommon } from './latent-ranking.js';

/** Also the common options (ImplicitCommonOptions): factors (default 64), epochs (200), initStd (0.1), seed, engine, rng. */
export interface BprOptions extends ImplicitCommonOptions {
  /** Learning rate (default 0.03). */
  lr?: number;
  /** L2 regularization of the factors (default 0.015) and of the item biases (default 0). */
  reg?: number;
  regBias?: number;
  /** Redraw a negative the user interacted with (default true). */
  verifyNegatives?: boolean;
}

/**
 * Chosen by `bench/tune-implicit.ts` on MovieLens 100k (ratings >= 4 as interactions; 20% of each
 * user's interactions in u1..u5.base held out; mean NDCG@10, full protocol): the cheapest
 * setting within 0.002 of the best, among settings of at most 200 epochs (a default has to stay
 * cheap on large data): validation NDCG@10 0.2468, against 0.1964 for the earlier defaults (64
 * factors, 30 epochs, lr 0.05, reg 0.001). More epochs keep helping a little on ML-100k: 800
 * epochs at lr 0.01 reach 0.2527.
 */
export const BPR_DEFAULTS = { factors: 64, epochs: 200, lr: 0.03, reg: 0.015, regBias: 0, initStd: 0.1, verifyNegatives: true, seed: 0 } as const;

/** Every key BprOptions has. */
export const BPR_OPTION_KEYS = ['factors', 'epochs', 'initStd', 'seed', 'engine', 'wasmVariant', 'rng', 'lr', 'reg', 'regBias', 'verifyNegatives'] as const satisfies readonly (keyof BprOptions)[];

export class BPR extends LatentRanking {
  protected readonly stateKind = 'bpr' as const;
  readonly options: ResolvedImplicitCommon & { lr: number; reg: number; regBias: number; verifyNegatives: boolean };
  protected readonly shape: ModelShape;

  /** A sampled negative per interaction. */
  protected override extraMemoryBytes(train: Dataset): number {
    return train.size * 4;
  }

  constructor(given: BprOptions = {}) {
    super();
    const options = optionsObject('BPR options', given);
    checkOptionKeys('BPR', options, BPR_OPTION_KEYS);
    const d = BPR_DEFAULTS;
    this.options = {
      ...resolveImplicitCommon(options, d),
      lr: positive('lr', options.lr ?? d.lr),
      reg: nonNegative('reg', options.reg ?? d.reg),
      regBias: nonNegative('regBias', options.regBias ?? d.regBias),
      verifyNegatives: flag('verifyNegatives', options.verifyNegatives, d.verifyNegatives),
    };
    this.shape = this.shapeOf(this.options);
  }

  /** A new user's row by SGD on BPR's own loss against the fixed items (ranking/row-sgd.ts): 100 passes at the model's lr and reg. */
  protected override foldInSolver(): FoldInSolver {
    const o = this.options;
    return bprRowSolver({ k: o.factors, lr: o.lr, reg: o.reg, passes: 100, seed: o.seed });
  }

  protected createTrainer(setup: TrainingSetup): Trainer {
    const { engine, train, ratings, factors, random } = setup;
    if (train.itemCount < 2) throw new DataError('BPR: needs at least two items to sample negatives');
    const o = this.options;
    const n = ratings.count;
    const negatives: U32 = engine.allocU32(n);
    // Each user's items, sorted, for verified sampling by binary search.
    const { start, rows } = groupRows(train.userIndex, train.userCount);
    const itemsOf = Uint32Array.from(rows, (t) => train.itemIndex[t]);
    for (let u = 0; u < train.userCount; u++) itemsOf.subarray(start[u], start[u + 1]).sort();
    const users = ratings.users.array(), positives = ratings.items.array();
    for (let u = 0; u < train.userCount; u++) {
      // Distinct items (a repeated (user, item) row is one interaction): each user's are sorted.
      let distinct = 0;
      for (let t = start[u]; t < start[u + 1]; t++) if (t === start[u] || itemsOf[t] !== itemsOf[t - 1]) distinct++;
      if (distinct >= train.itemCount) throw new DataError(`BPR: user ${JSON.stringify(train.users.raw[u])} interacted with every item; no negative exists`);
    }
    return {
      epoch() {
        // A fresh seeded order and fresh negatives every epoch (both engines see the same).
        shuffleTriples(users, positives, random);
        const neg = negatives.array();
        for (let t = 0; t < n; t++) {
          const u = users[t];
          let j: number;
          do j = random.nextInt(train.itemCount);
          while (o.verifyNegatives && sortedContains(itemsOf, start[u], start[u + 1], j));
          neg[t] = j;
        }
        const correct = engine.sgdEpochBpr(ratings.users, ratings.items, negatives, n, factors, o.lr, o.reg, o.regBias);
        // The fraction of sampled triples still ranked wrong (1 − training AUC on the samples).
        return { value: (n - correct) / n, kind: 'misranked' };
      },
      predictionFactors: () => factors,
    };
  }
}

export function shuffleTriples(users: Uint32Array, items: Uint32Array, random: { nextInt(n: number): number }): void {
  for (let t = users.length - 1; t > 0; t--) {
    const j = random.nextInt(t + 1);
    const u = users[t], i = items[t];
    users[t] = users[j];
    items[t] = items[j];
    users[j] = u;
    items[j] = i;
  }
}
