// idType 'number' (issue 18): callers whose ids are integers get numbers back from every list a
// model returns — recommend, recommendAll, recommendFromHistory, similarItems, similarUsers —
// the same entries as the default strings, each id the number its string writes. Ids that are
// not the decimal form of a safe integer are refused, so no two ids meet as one number.
import { describe, expect, it } from 'vitest';
import { ALS, Dataset, DataError, EASE, generateRatings, OptionError, SVD, type Recommendation } from '../src/index.js';

const data = generateRatings({ users: 50, items: 40, ratings: 1200, minPerUser: 5, seed: 12 });

describe("idType: 'number'", () => {
  const model = new SVD({ factors: 5, epochs: 5, seed: 3 });
  model.fit(data);
  const user = data.users.raw[3], item = data.items.raw[2];

  it('gives the same lists as strings, with each id as its number', () => {
    const asNumber = (list: { id: string; score: number }[]) => list.map((r) => ({ id: Number(r.id), score: r.score }));
    const typed = model.recommend(Number(user), { n: 8, idType: 'number' });
    expect(typed.map(({ id, score }) => ({ id, score }))).toEqual(asNumber(model.recommend(user, { n: 8 })));
    for (const r of typed) {
      expect(typeof r.id).toBe('number');
      expect(r.item).toBe(r.id); // the deprecated alias follows
    }
    expect(model.similarItems(item, { n: 6, idType: 'number' })).toEqual(asNumber(model.similarItems(item, { n: 6 })));
    expect(model.similarUsers(user, { n: 6, idType: 'number' })).toEqual(asNumber(model.similarUsers(user, { n: 6 })));
    const history: [string, number][] = [[data.items.raw[0], 5], [data.items.raw[5], 1]];
    expect(model.recommendFromHistory(history, { n: 5, idType: 'number' }).map((r) => r.id)).toEqual(model.recommendFromHistory(history, { n: 5 }).map((r) => Number(r.id)));
    const all = [...model.recommendAll({ users: data.users.raw.slice(0, 4), n: 3, idType: 'number' })];
    const plain = [...model.recommendAll({ users: data.users.raw.slice(0, 4), n: 3 })];
    expect(all.map((e) => e.user)).toEqual(plain.map((e) => Number(e.user)));
    expect(all.map((e) => e.items.map((r) => r.id))).toEqual(plain.map((e) => e.items.map((r) => Number(r.id))));
    // EASE's item–item lists and ALS's too.
    const ease = new EASE({ reg: 5 });
    ease.fit(data);
    expect(ease.similarItems(item, { n: 4, idType: 'number' })).toEqual(asNumber(ease.similarItems(item, { n: 4 })));
    const als = new ALS({ factors: 4, epochs: 2 });
    als.fit(data);
    expect(als.recommend(user, { n: 4, idType: 'number' }).map((r) => r.id)).toEqual(als.recommend(user, { n: 4 }).map((r) => Number(r.id)));
  });

  it('is typed: number ids with idType number, strings by default', () => {
    const n: number = model.recommend(user, { idType: 'number' })[0].id;
    const s: string = model.recommend(user)[0].id;
    // @ts-expect-error: a number id is not a string
    const wrong: string = model.similarItems(item, { idType: 'number' })[0].id;
    const list: Recommendation<number>[] = model.recommend(user, { idType: 'number' });
    expect([typeof n, typeof s, typeof wrong, typeof list[0].id]).toEqual(['number', 'string', 'number', 'number']);
  });

  it('refuses ids that are not integers, naming one, and an idType that is neither', () => {
    const named = Dataset.fromTriples([['u1', '042', 4], ['u1', '7', 3], ['u2', '4.5', 5], ['u2', '7', 2], ['u3', 'x', 1], ['u3', '042', 2]]);
    const m = new SVD({ factors: 2, epochs: 2 });
    m.fit(named);
    expect(() => m.recommend('u1', { idType: 'number', excludeSeen: false })).toThrow(DataError);
    expect(() => m.recommend('u1', { idType: 'number', excludeSeen: false })).toThrow(/^recommend: idType 'number' needs ids that are integers; "(042|4\.5|x)" is not one/);
    // The users' ids are strings too: recommendAll names the user.
    expect(() => [...m.recommendAll({ idType: 'number', candidates: ['7'] })]).toThrow(/^recommendAll: idType 'number' needs ids that are integers; "u1"/);
    // Only '7' among the candidates: it converts.
    expect(m.recommend('u3', { idType: 'number', candidates: ['7'] }).map((r) => r.id)).toEqual([7]);
    expect(() => model.recommend(user, { idType: 'int' as 'number' })).toThrow(OptionError);
    expect(() => model.similarItems(item, { idType: 'int' as 'number' })).toThrow(/option idType must be 'string' or 'number' \(got "int"\)/);
  });
});
