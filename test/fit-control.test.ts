// Controlling a long fit: an AbortSignal stops it between epochs and the model keeps what was
// learned (the best epoch with `checkpoint`, else the last); fitAsync lets timers abort it; a
// diverging fit with `checkpoint` keeps the epoch before the blow-up; and a fit too large for
// wasm32's 4 GiB is refused before anything is allocated, naming the k that would fit.
import { describe, expect, it } from 'vitest';
import { ALS, Baseline, BPR, Dataset, DataError, DivergenceError, generateRatings, Hybrid, IdMap, MF, OptionError, SVD, SVDpp, toImplicit } from '../src/index.js';

const data = generateRatings({ users: 200, items: 150, ratings: 8000, minPerUser: 10, seed: 3 });
const holdout = generateRatings({ users: 200, items: 150, ratings: 2000, minPerUser: 2, seed: 4 });

describe('AbortSignal', () => {
  it('stops after the epoch in which it was aborted; the model is the one a 3-epoch fit gives', () => {
    const controller = new AbortController();
    const model = new SVD({ factors: 8, epochs: 50, seed: 1 });
    const result = model.fit(data, { signal: controller.signal, onEpoch: (e) => (e.epoch === 3 ? controller.abort() : undefined) });
    expect(result.aborted).toBe(true);
    expect(result.keptEpoch).toBe(3);
    expect(result.epochs).toHaveLength(3);
    const three = new SVD({ factors: 8, epochs: 3, seed: 1 });
    three.fit(data);
    expect(Array.from(model.predictMany(holdout))).toEqual(Array.from(three.predictMany(holdout)));
  });

  it('with checkpoint, an aborted fit keeps the best epoch by validation RMSE, not the last', () => {
    // A learning rate high enough that validation RMSE turns up after a few epochs.
    const controller = new AbortController();
    const model = new MF({ factors: 16, epochs: 200, lrAll: 0.03, regAll: 0, seed: 2 });
    const result = model.fit(data, {
      validation: holdout, checkpoint: true, signal: controller.signal,
      onEpoch: (e) => (e.epoch === 40 ? controller.abort() : undefined),
    });
    const curve = result.epochs.map((e) => e.validationRmse!);
    const bestEpoch = curve.indexOf(Math.min(...curve)) + 1;
    expect(bestEpoch).toBeLessThan(40); // the premise: it overfits before epoch 40
    expect(result.aborted).toBe(true);
    expect(result.keptEpoch).toBe(bestEpoch);
    expect(result.bestEpoch).toBe(bestEpoch);
    const rmse = Math.sqrt(holdout.ratings.reduce((s, r, t) => s + (r - model.predictMany(holdout)[t]) ** 2, 0) / holdout.size);
    expect(rmse).toBeCloseTo(curve[bestEpoch - 1], 5);
  });

  it('fitAsync yields between epochs, so a timer can abort it; the model keeps the epochs run', async () => {
    const controller = new AbortController();
    const model = new SVD({ factors: 32, epochs: 100_000, seed: 1 });
    setTimeout(() => controller.abort(), 150);
    const result = await model.fitAsync(data, { signal: controller.signal });
    expect(result.aborted).toBe(true);
    expect(result.epochs.length).toBeGreaterThan(1);
    expect(result.epochs.length).toBeLessThan(100_000);
    expect(model.predict('1', '1').estimate).toBeGreaterThan(0);
    expect(result.keptEpoch).toBe(result.epochs.length);
  });

  it('an implicit model stops too, and a signal aborted before the start trains nothing', () => {
    const controller = new AbortController();
    const implicit = toImplicit(data, { threshold: 4 });
    const bpr = new BPR({ factors: 8, epochs: 500, seed: 1 });
    const result = bpr.fit(implicit, { signal: controller.signal, onEpoch: (e) => (e.epoch === 2 ? controller.abort() : undefined) });
    expect(result.epochs).toHaveLength(2);
    expect(bpr.recommend(implicit.users.raw[0], { n: 5 })).toHaveLength(5);
    expect(() => new ALS({ factors: 8 }).fit(implicit, { signal: AbortSignal.abort() })).toThrow('fit: the signal was aborted before the first epoch; nothing was trained');
  });

  it('Hybrid refuses a checkpoint (its parameters are feature embeddings)', () => {
    expect(() => new Hybrid({ factors: 4, epochs: 2 }).fit(data, { checkpoint: true })).toThrow(OptionError);
  });
});

describe('divergence with and without checkpoint', () => {
  // lr 0.22 here blows up at epoch 7, after its train RMSE has risen for a few epochs.
  const diverging = () => new SVD({ factors: 16, epochs: 100, lrAll: 0.22, regAll: 0, seed: 1 });

  it('without checkpoint: stops with the epoch and the hint, the model stays unfitted', () => {
    const model = diverging();
    let error: DivergenceError | undefined;
    try {
      model.fit(data);
    } catch (e) {
      error = e as DivergenceError;
    }
    expect(error).toBeInstanceOf(DivergenceError);
    expect(error!.message).toMatch(/^training diverged at epoch \d+: the loss became NaN or infinite; lower the learning rate .* \(fit with checkpoint: true to keep the best epoch so far\)$/);
    expect(error!.keptEpoch).toBeUndefined();
    expect(model.isFitted).toBe(false);
  });

  it('with checkpoint: the model keeps the best epoch before the blow-up, and predicts finite values', () => {
    const model = diverging();
    let error: DivergenceError | undefined;
    try {
      model.fit(data, { checkpoint: true });
    } catch (e) {
      error = e as DivergenceError;
    }
    expect(error).toBeInstanceOf(DivergenceError);
    expect(error!.epoch).toBeGreaterThan(2);
    expect(error!.keptEpoch).toBeGreaterThanOrEqual(1);
    expect(error!.keptEpoch).toBeLessThan(error!.epoch);
    // The kept epoch is the lowest train RMSE of the curve up to the blow-up.
    const curve = (error!.epochs as { trainRmse: number }[]).map((e) => e.trainRmse);
    expect(error!.keptEpoch).toBe(curve.indexOf(Math.min(...curve)) + 1);
    expect(error!.message).toContain(`the model keeps epoch ${error!.keptEpoch}, the best before (checkpoint)`);
    expect(model.isFitted).toBe(true);
    const estimates = model.predictMany(holdout);
    expect(estimates.every(Number.isFinite)).toBe(true);
  });
});

describe('the 4 GiB limit of wasm32, checked before allocating', () => {
  // A data set that claims 2.2M users and 1M items with only a few ratings: the factor rows alone
  // decide. (Ids are interned, but nothing is allocated for them in the engine before the check.)
  const wide = (() => {
    const users = IdMap.from(Array.from({ length: 2_200_000 }, (_, u) => `u${u}`));
    const items = IdMap.from(Array.from({ length: 1_000_000 }, (_, i) => `i${i}`));
    const n = 3;
    return new Dataset(users, items, Uint32Array.from([0, 1, 2]), Uint32Array.from([0, 1, 2]), Float32Array.from([1, 3, 5]).subarray(0, n), { lo: 1, hi: 5 });
  })();

  it('k=512 over 3.2M users and items needs ~6.6 GB: refused with the largest k that fits', () => {
    let error: Error | undefined;
    try {
      new SVD({ factors: 512, epochs: 1 }).fit(wide);
    } catch (e) {
      error = e as Error;
    }
    expect(error).toBeInstanceOf(DataError);
    const k = Number(/lower factors to (\d+) or less/.exec(error!.message)?.[1]);
    expect(error!.message).toMatch(/^SVD: this fit needs about 6\.6 GB of WebAssembly memory .* beyond wasm32's 4 GiB: lower factors to \d+ or less/);
    // The k it names fits (the estimate says so) and the next multiple of 4 does not.
    expect(k).toBeGreaterThan(250);
    expect(k).toBeLessThan(340);
  });

  it("a model's own memory counts: SVD++ (y_j and the effective user factors) fits a smaller k than SVD", () => {
    const largestK = (fit: () => unknown) => {
      try {
        fit();
      } catch (e) {
        return Number(/lower factors to (\d+) or less/.exec((e as Error).message)?.[1]);
      }
      return Infinity;
    };
    const svd = largestK(() => new SVD({ factors: 512, epochs: 1 }).fit(wide));
    const svdpp = largestK(() => new SVDpp({ factors: 512, epochs: 1 }).fit(wide));
    expect(svdpp).toBeLessThan(svd);
    expect(svdpp).toBeGreaterThan(svd / 3); // about half: P, Q, Y and the effective P
  });

  it('the js engine is not bound by it', () => {
    expect(() => new SVD({ factors: 512, epochs: 1, engine: 'js' }).fit(new Dataset(IdMap.from(['a']), IdMap.from(['b']), Uint32Array.of(0), Uint32Array.of(0), Float32Array.of(3), { lo: 1, hi: 5 }))).not.toThrow();
  });
});


describe('every trained model kind detects divergence and names its own knob', () => {
  const implicit = toImplicit(data, { threshold: 4 });
  it.each([
    ['SVDpp', () => new SVDpp({ lrAll: 5, epochs: 5 }).fit(data), /lower the learning rate \(lrAll \/ --lr\)/, true],
    ['MF', () => new MF({ lrAll: 5, epochs: 5 }).fit(data), /lower the learning rate \(lrAll \/ --lr\)/, true],
    ['Baseline sgd', () => new Baseline({ method: 'sgd', lr: 50, epochs: 5 }).fit(data), /lower the learning rate \(lr \/ --lr\) or raise the regularization \(reg\)/, true],
    ['BPR', () => new BPR({ lr: 1e6, reg: 0, epochs: 5 }).fit(implicit), /lower the learning rate \(lr \/ --lr\)/, true],
    ['Hybrid', () => new Hybrid({ lr: 1e6, epochs: 5, learningSchedule: 'sgd' }).fit(implicit), /lower the learning rate \(lr \/ --lr\)/, false],
  ] as const)('%s', (_, fit, hint, suggestsCheckpoint) => {
    let error: unknown;
    try {
      fit();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DivergenceError);
    const message = (error as Error).message;
    expect(message).toMatch(/^training diverged at epoch \d+: the loss became NaN or infinite; /);
    expect(message).toMatch(hint);
    expect(message.includes('fit with checkpoint: true')).toBe(suggestsCheckpoint);
  });
});
