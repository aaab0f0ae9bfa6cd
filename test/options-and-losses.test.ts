// Two parts of the one model contract: an option a kind does not take is refused by name, with
// what it probably meant (a Surprise, LightFM or implicit user gets no silent default), and every
// epoch reports a typed loss that says what it measures (a ranking model's is not an RMSE).
import { describe, expect, it } from 'vitest';
import {
  ALS, BPR, createModel, Dataset, generateRatings, Hybrid, learningCurveChart, MODEL_KINDS, modelKindInfo, OptionError, Popular, SVD, toImplicit,
  UnknownOptionError,
} from '../src/index.js';
import { thrownBy } from './helpers.js';

const ratings = generateRatings({ users: 60, items: 40, ratings: 1200, minPerUser: 10, seed: 3 });
const interactions = toImplicit(ratings, { threshold: 4 });
const unknown = (fn: () => unknown) => thrownBy(UnknownOptionError, fn);

describe('an option a model does not take is refused, naming what it probably meant', () => {
  it.each([
    ['Surprise n_factors', () => new SVD({ n_factors: 3 } as never), 'SVD', 'n_factors', 'factors'],
    ['Surprise lr_all', () => new SVD({ lr_all: 0.5 } as never), 'SVD', 'lr_all', 'lrAll'],
    ['Surprise init_std_dev', () => new SVD({ init_std_dev: 0.1 } as never), 'SVD', 'init_std_dev', 'initStd'],
    ['Surprise random_state', () => new SVD({ random_state: 1 } as never), 'SVD', 'random_state', 'seed'],
    ['LightFM no_components', () => new Hybrid({ no_components: 8 } as never), 'Hybrid', 'no_components', 'factors'],
    ['LightFM learning_rate', () => new Hybrid({ learning_rate: 0.05 } as never), 'Hybrid', 'learning_rate', 'lr'],
    ['LightFM item_alpha', () => new Hybrid({ item_alpha: 1e-6 } as never), 'Hybrid', 'item_alpha', 'itemReg'],
    ['implicit regularization', () => new ALS({ regularization: 0.1 } as never), 'ALS', 'regularization', 'reg'],
    ['implicit iterations', () => new ALS({ iterations: 15 } as never), 'ALS', 'iterations', 'epochs'],
    ['a typo', () => new BPR({ factros: 8 } as never), 'BPR', 'factros', 'factors'],
    ['another kind\'s option', () => createModel({ model: 'bpr', lrAll: 0.1 }), 'BPR', 'lrAll', 'lr'],
  ] as const)('%s', (_, make, owner, key, meant) => {
    const err = unknown(make);
    expect(err).toBeInstanceOf(OptionError);
    expect(err.message).toMatch(new RegExp(`^${owner} has no option "${key}" \\(did you mean ${meant}\\?\\); its options: `));
    expect(err.suggestion).toBe(meant);
    expect(err.known).toContain(meant);
  });

  it('a key close to nothing gets no suggestion; an undefined value is no option at all', () => {
    const err = unknown(() => new Popular({ colour: 'red' } as never));
    expect(err.message).toBe('Popular has no option "colour"; its options: engine, wasmVariant');
    expect(() => new SVD({ colour: undefined } as never)).not.toThrow();
  });

  it('every kind refuses a foreign key at construction, whatever its options', () => {
    for (const kind of MODEL_KINDS) {
      expect(unknown(() => createModel({ model: kind, ...modelKindInfo(kind).example, bogusOption: 1 } as never)).message, kind).toMatch(/has no option "bogusOption"/);
    }
  });

  it('fit, partialFit, recommend, similarItems and foldIn options are checked the same way', () => {
    const svd = new SVD({ factors: 4, epochs: 2 });
    expect(unknown(() => svd.fit(ratings, { validaton: ratings } as never)).message).toMatch(/^SVD\.fit has no option "validaton" \(did you mean validation\?\)/);
    svd.fit(ratings);
    expect(unknown(() => svd.partialFit(ratings, { epoch: 2 } as never)).message).toMatch(/did you mean epochs\?/);
    expect(unknown(() => svd.recommend('1', { count: 5 } as never)).message).toMatch(/^recommend options has no option "count"/);
    expect(unknown(() => svd.similarItems(svd.itemIds[0], { top: 5 } as never)).message).toMatch(/^similarItems options has no option "top"/);
    expect(unknown(() => svd.foldIn([[svd.itemIds[0], 4]], { reg: 1 } as never)).message).toMatch(/did you mean regularization\?/);
    // A ranking model has no validation RMSE to score or stop on: the key is refused, not ignored.
    const bpr = new BPR({ factors: 4, epochs: 2 });
    expect(unknown(() => bpr.fit(interactions, { validation: interactions } as never)).message).toMatch(/^BPR\.fit has no option "validation"; its options: onEpoch, checkpoint, signal$/);
    expect(unknown(() => bpr.fit(interactions, { earlyStopping: true } as never)).message).toMatch(/^BPR\.fit has no option "earlyStopping"/);
  });
});

describe('every epoch reports a typed loss', () => {
  it('rating models: an RMSE, the same figure as trainRmse', () => {
    const { epochs } = new SVD({ factors: 4, epochs: 4 }).fit(ratings);
    for (const e of epochs) {
      expect(e.loss.kind).toBe('rmse');
      expect(e.loss.value).toBe(e.trainRmse);
    }
    // With the full train metric, trainRmse is the model after the epoch; the loss stays the pass's.
    const full = new SVD({ factors: 4, epochs: 2 }).fit(ratings, { trainMetric: 'full' }).epochs;
    expect(full[1].trainRmse).not.toBe(full[1].loss.value);
  });

  it('BPR and the hybrid: the misranked fraction of the sampled pairs, which falls as they learn', () => {
    for (const model of [new BPR({ factors: 8, epochs: 15, lr: 0.1 }), new Hybrid({ factors: 8, epochs: 15, loss: 'bpr' })]) {
      const { epochs } = model.fit(interactions);
      for (const e of epochs) {
        expect(e.loss.kind).toBe('misranked');
        expect(e.loss.value).toBeGreaterThanOrEqual(0);
        expect(e.loss.value).toBeLessThanOrEqual(1);
        expect(e.trainRmse).toBeUndefined();
      }
      expect(epochs.at(-1)!.loss.value).toBeLessThan(epochs[0].loss.value);
    }
  });

  it('ALS: the RMS of its conjugate-gradient residuals; Popular has no epoch at all', () => {
    const { epochs } = new ALS({ factors: 8, epochs: 4 }).fit(interactions);
    for (const e of epochs) expect(e.loss.kind).toBe('cg-residual');
    expect(new Popular().fit(interactions).epochs).toEqual([]);
  });

  it('the learning-curve chart names the loss it plots', () => {
    const bpr = new BPR({ factors: 4, epochs: 3 }).fit(interactions);
    expect(learningCurveChart([{ label: 'bpr', epochs: bpr.epochs }])).toContain('misranked fraction of sampled pairs');
    const svd = new SVD({ factors: 4, epochs: 3 }).fit(ratings);
    const svg = learningCurveChart([{ label: 'svd', epochs: svd.epochs }]);
    expect(svg).toContain('>RMSE<');
    expect(svg).not.toContain('misranked');
  });
});

describe('partialFit runs the one fit loop', () => {
  it('checkpoint, abort and onEpoch work there as in fit', () => {
    const svd = new SVD({ factors: 4, epochs: 3 });
    svd.fit(ratings);
    const more = Dataset.fromTriples([['new', ratings.items.raw[0], 5], ['new', ratings.items.raw[1], 1]]);
    const controller = new AbortController();
    const seen: number[] = [];
    const result = svd.partialFit(more, {
      epochs: 10, checkpoint: true, signal: controller.signal,
      onEpoch: (e) => {
        seen.push(e.epoch);
        if (e.epoch === 3) controller.abort();
      },
    });
    expect(seen).toEqual([1, 2, 3]);
    expect(result.aborted).toBe(true);
    expect(result.keptEpoch).toBeGreaterThanOrEqual(1);
    expect(svd.hasUser('new')).toBe(true);
  });
});
