// The rating's day: times read by the parsers (fast and general paths alike, every format, the
// duplicate policies), carried by splits, and the Bayesian FM's day group: it finds a planted day
// effect, serves what its curve measured, predicts the average day without a time, keeps its days
// in the model file, and refuses data without times.
import { describe, expect, it } from 'vitest';
import {
  BayesianFM, DataError, Dataset, evaluate, FactorModel, holdoutSplit, OptionError, ParseError, parseRatings,
} from '../src/index.js';
import { Random } from '../src/util/random.js';
import { thrownBy } from './helpers.js';

const DAY = 86_400;

describe('times in the parsers', () => {
  it('reads the time column of every MovieLens format and of named or given columns, on the fast and the general path alike', () => {
    const expected = [881250949, 891717742, 878887116];
    const ml100k = '196\t242\t3\t881250949\n186\t302\t3\t891717742\n22\t377\t1\t878887116\n';
    const ml1m = '1::1193::5::881250949\n1::661::3::891717742\n1::914::3::878887116\n';
    const mlcsv = 'userId,movieId,rating,timestamp\n1,1,4.0,881250949\n1,3,4.0,891717742\n1,6,4.0,878887116\n';
    const named = 'time;user;item;rating\n881250949;a;x;4\n891717742;b;y;3\n878887116;c;z;5\n';
    for (const text of [ml100k, ml1m, mlcsv, named]) {
      const { dataset, summary } = parseRatings(text, { timestamps: true });
      expect(Array.from(dataset.times!), text.slice(0, 12)).toEqual(expected);
      expect(summary.timestamps).toBe(true);
    }
    // The general path (a quoted field sends a line there) reads the same times.
    const quoted = 'user,item,rating,timestamp\n"a",x,4,881250949\nb,"y",3,891717742\nc,z,5,878887116\n';
    expect(Array.from(parseRatings(quoted, { timestamps: true }).dataset.times!)).toEqual(expected);
    // Given columns: the time where the user says; without timestamps no times are kept.
    const given = parseRatings('4,x,881250949,a\n3,y,891717742,b\n', { format: 'delimited', columns: { user: 3, item: 1, rating: 0, time: 2 }, timestamps: true });
    expect(Array.from(given.dataset.times!)).toEqual(expected.slice(0, 2));
    expect(parseRatings(ml100k).dataset.times).toBeUndefined();
  });

  it('refuses a file without a time column, a bad time (by line and column), and a time column on the rating', () => {
    expect(thrownBy(DataError, () => parseRatings('a,x,4\nb,y,3\n', { source: 'plain.csv', timestamps: true })).message)
      .toMatch(/^plain\.csv: the ratings' times were asked for \(timestamps: true; the Bayesian FM's day group, --time\), but the file has no time column/);
    expect(thrownBy(ParseError, () => parseRatings('196\t242\t3\t881250949\n186\t302\t3\tsoon\n', { source: 'u.data', timestamps: true })).message)
      .toMatch(/^u\.data:2: time \(column 4\): time is not a number \(got "soon"/);
    expect(thrownBy(OptionError, () => parseRatings('a,x,4,1\n', { format: 'delimited', columns: { user: 0, item: 1, rating: 2, time: 2 } })).message)
      .toMatch(/option columns must be a time column apart from the user, item and rating columns/);
    expect(thrownBy(OptionError, () => parseRatings('a,x,4,1\n', { timestamps: 'yes' as never })).message).toBe("option timestamps must be true, false or 'if-present' (got \"yes\")");
  });

  it("the duplicate policies keep a time: 'last' the last row's, 'mean' the latest", () => {
    const text = 'u\ti\t2\t100\nu\tj\t5\t150\nu\ti\t4\t300\nu\ti\t3\t200\n';
    const last = parseRatings(text, { timestamps: true, duplicates: 'last' }).dataset;
    expect(Array.from(last.ratings)).toEqual([3, 5]);
    expect(Array.from(last.times!)).toEqual([200, 150]);
    const mean = parseRatings(text, { timestamps: true, duplicates: 'mean' }).dataset;
    expect(Array.from(mean.ratings)).toEqual([3, 5]);
    expect(Array.from(mean.times!)).toEqual([300, 150]);
  });

  it('splits and fromTriples carry the times; fromTriples refuses rows with and without them', () => {
    const data = Dataset.fromTriples(Array.from({ length: 40 }, (_, t) => [`u${t % 5}`, `i${t % 7}`, 1 + (t % 5), 1000 + t] as const));
    const { train, test } = holdoutSplit(data, { testRatio: 0.25, seed: 1 });
    for (const part of [train, test]) {
      for (let t = 0; t < part.size; t++) {
        // Each row's time is its original row's (1000 + the row where its triple was).
        const row = part.times![t] - 1000;
        expect(part.users.raw[part.userIndex[t]]).toBe(`u${row % 5}`);
        expect(part.ratings[t]).toBe(1 + (row % 5));
      }
    }
    expect(thrownBy(DataError, () => Dataset.fromTriples([['a', 'x', 3, 10], ['b', 'y', 4]])).message)
      .toBe('Dataset.fromTriples: row 1 lacks a time (a fourth element), and row 0 has one');
  });
});

/**
 * Ratings with a planted day effect: a rank-2 taste plus, on each of 30 days, an offset of ±0.8
 * that every rating that day shares (the kind of drift the day group models).
 */
function dayRatings(seed: number): Dataset {
  const random = new Random(seed), users = 200, items = 150, days = 30;
  const P = Array.from({ length: users * 2 }, () => random.nextNormal(0, 0.7));
  const Q = Array.from({ length: items * 2 }, () => random.nextNormal(0, 0.7));
  const offset = Array.from({ length: days }, (_, d) => (d % 2 ? 0.8 : -0.8));
  const triples: [string, string, number, number][] = [];
  for (let t = 0; t < 9000; t++) {
    const u = random.nextInt(users), i = random.nextInt(items), d = random.nextInt(days);
    const y = 3 + P[2 * u] * Q[2 * i] + P[2 * u + 1] * Q[2 * i + 1] + offset[d] + random.nextNormal(0, 0.4);
    triples.push([`u${u}`, `i${i}`, Math.min(5, Math.max(1, Math.round(y))), (17_000 + d) * DAY + random.nextInt(DAY)]);
  }
  return Dataset.fromTriples(triples);
}

describe('BayesianFM with the day group (time: true)', () => {
  const { train, test } = holdoutSplit(dayRatings(3), { testRatio: 0.2, seed: 1 });

  it('finds a planted day effect, and serves what its curve measured', () => {
    const timed = new BayesianFM({ time: true, bags: [], samples: 50, seed: 2 });
    const { epochs } = timed.fit(train, { validation: test });
    const plain = new BayesianFM({ bags: [], samples: 50, seed: 2 });
    plain.fit(train);
    const served = evaluate(timed, test).rmse;
    expect(served).toBeLessThan(evaluate(plain, test).rmse - 0.1);
    expect(served).toBeCloseTo(epochs.at(-1)!.validationRmse!, 4);
    // Without its times the test set is scored at the average day: no better than the plain model.
    const untimed = new Dataset(test.users, test.items, test.userIndex, test.itemIndex, test.ratings, test.scale);
    expect(evaluate(timed, untimed).rmse).toBeGreaterThan(served + 0.1);
  });

  it("predict's time is predictMany's; days the training data lacks, unknown ids and no time give the average day", () => {
    const model = new BayesianFM({ time: true, samples: 20, factors: 4, seed: 1 });
    model.fit(train);
    const user = train.users.raw[0], item = train.items.raw[0], time = train.times![0];
    const onDay = model.predict(user, item, time).estimate;
    expect(model.predictMany([[user, item, time]])[0]).toBe(onDay);
    const average = model.predict(user, item).estimate;
    expect(onDay).not.toBe(average);
    expect(model.predict(user, item, 1e9 * DAY).estimate).toBe(average); // no training rating that day
    expect(model.predictMany([[user, item]])[0]).toBe(average);
    // Two times on the same day give the same estimate.
    const day = Math.floor(time / DAY) * DAY;
    expect(model.predict(user, item, day + 1).estimate).toBe(model.predict(user, item, day + DAY - 1).estimate);
    expect(thrownBy(OptionError, () => model.predict(user, item, NaN)).message).toMatch(/^option time must be a finite number of seconds since 1970/);
  });

  it('keeps its days in the model file: the loaded model scores the timed test set with the same bits', () => {
    const model = new BayesianFM({ time: true, samples: 20, factors: 4, seed: 1 });
    model.fit(train);
    const loaded = FactorModel.load(model.save());
    expect(Buffer.from(loaded.predictMany(test)).equals(Buffer.from(model.predictMany(test)))).toBe(true);
    const state = loaded.toState();
    expect(state.days!.days.length).toBe(30);
    expect(state.days!.factors.length).toBe(30 * model.factorCount);
    // The js engine draws the same chain.
    const js = new BayesianFM({ time: true, samples: 20, factors: 4, seed: 1, engine: 'js' });
    js.fit(train);
    expect(Buffer.from(js.predictMany(test)).equals(Buffer.from(model.predictMany(test)))).toBe(true);
  });

  it('refuses data without times, naming the option', () => {
    const untimed = Dataset.fromTriples([['a', 'x', 3], ['b', 'y', 4], ['a', 'y', 5]]);
    expect(thrownBy(DataError, () => new BayesianFM({ time: true, samples: 4 }).fit(untimed)).message)
      .toMatch(/^fit: option time \(--time, the rating's day\) needs the ratings' times, and the training data has none/);
    expect(thrownBy(OptionError, () => new BayesianFM({ time: 1 as never })).message).toBe("option time must be true, false or 'auto' (got 1)");
  });
});
