// BPR (Rendle, Freudenthaler, Gantner & Schmidt-Thieme 2009) for implicit feedback: score
// s_ui = b_i + p_u·q_i, trained by SGD on (user, positive, sampled negative) triples to rank each
// user's items above the rest. Negatives are drawn uniformly from the catalogue by the host's
// seeded generator and, by default, verified (redrawn while the user interacted with them).
import { groupRows } from '../data/group.js';
import type { EngineName, U32 } from '../engine/index.js';
import { DataError } from '../errors.js';
import { FactorModel, type ModelShape, type Trainer, type TrainingSetup } from './factor-model.js';
import { initNormal } from './init.js';
import { integer, nonNegative, oneOf, positive, type RandomKind } from './options.js';

export interface BprOptions {
  /** Latent factors k (default 64). */
  factors?: number;
  /** Passes over the interactions (default 30). */
  epochs?: number;
  /** Learning rate (default 0.05). */
  lr?: number;
  /** L2 regularization of the factors (default 0.001) and of the item biases (default 0). */
  reg?: number;
  regBias?: number;
  /** Standard deviation of the normal initialization (default 0.1). */
  initStd?: number;
  /** Redraw a negative the user interacted with (default true). */
  verifyNegatives?: boolean;
  seed?: number;
  engine?: EngineName;
  rng?: RandomKind;
}

export const BPR_DEFAULTS = { factors: 64, epochs: 30, lr: 0.05, reg: 0.001, regBias: 0, initStd: 0.1, verifyNegatives: true, seed: 0 } as const;

export class BPR extends FactorModel {
  protected readonly stateKind = 'bpr' as const;
  readonly options: Required<Omit<BprOptions, 'engine' | 'rng'>> & { engine: EngineName; rng: RandomKind };
  protected readonly shape: ModelShape;

  constructor(options: BprOptions = {}) {
    super();
    const d = BPR_DEFAULTS;
    this.options = {
      factors: integer('factors', options.factors ?? d.factors, 1, 4096),
      epochs: integer('epochs', options.epochs ?? d.epochs, 1, 1_000_000),
      lr: positive('lr', options.lr ?? d.lr),
      reg: nonNegative('reg', options.reg ?? d.reg),
      regBias: nonNegative('regBias', options.regBias ?? d.regBias),
      initStd: nonNegative('initStd', options.initStd ?? d.initStd),
      verifyNegatives: options.verifyNegatives ?? d.verifyNegatives,
      seed: integer('seed', options.seed ?? d.seed, 0, 0xffffffff),
      engine: oneOf<EngineName>('engine', options.engine ?? 'wasm', ['wasm', 'js']),
      rng: oneOf<RandomKind>('rng', options.rng ?? 'xoshiro128', ['xoshiro128', 'mt19937']),
    };
    const o = this.options;
    this.shape = { factors: o.factors, biased: false, epochs: o.epochs, engine: o.engine, wasmVariant: undefined, seed: o.seed, rng: o.rng, unclipped: true };
  }

  protected initialize(setup: TrainingSetup): void {
    const { factors, train, random } = setup;
    initNormal(factors.P, train.userCount, this.options.factors, factors.stride, 0, this.options.initStd, random);
    initNormal(factors.Q, train.itemCount, this.options.factors, factors.stride, 0, this.options.initStd, random);
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
      if (start[u + 1] - start[u] >= train.itemCount) throw new DataError(`BPR: user ${JSON.stringify(train.users.raw[u])} interacted with every item; no negative exists`);
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
          while (o.verifyNegatives && contains(itemsOf, start[u], start[u + 1], j));
          neg[t] = j;
        }
        const correct = engine.sgdEpochBpr(ratings.users, ratings.items, negatives, n, factors, o.lr, o.reg, o.regBias);
        // The fit loop reports sqrt(returned / n) as the epoch's train figure: for BPR that is the
        // square root of the fraction of sampled triples still ranked wrong (1 − training AUC).
        return n - correct;
      },
      predictionFactors: () => factors,
    };
  }
}

/** Whether sorted[lo..hi) holds x (binary search). */
function contains(sorted: Uint32Array, lo: number, hi: number, x: number): boolean {
  const end = hi;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo < end && sorted[lo] === x;
}

function shuffleTriples(users: Uint32Array, items: Uint32Array, random: { nextInt(n: number): number }): void {
  for (let t = users.length - 1; t > 0; t--) {
    const j = random.nextInt(t + 1);
    const u = users[t], i = items[t];
    users[t] = users[j];
    items[t] = items[j];
    users[j] = u;
    items[j] = i;
  }
}
