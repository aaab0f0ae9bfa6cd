// Models through their files: save -> load -> predict is bit-identical, for every kind.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createModel, FactorModel, generateRatings, importSparkAls, MODEL_KINDS, modelKindInfo, ModelFileError } from '../src/index.js';
import { loadModelFromFile, saveModelToFile } from '../src/node.js';

const data = generateRatings({ users: 80, items: 60, ratings: 1500, minPerUser: 8, seed: 30 });
const pairs = Array.from({ length: 200 }, (_, t) => [data.users.raw[t % 80], data.items.raw[(t * 7) % 60]] as const);

// Every rating kind of the registry (the ranking kinds' files: the contract suite and test/io).
describe.each(MODEL_KINDS.filter((kind) => modelKindInfo(kind).task === 'rating'))('%s', (kind) => {
  // k = 7 and 4 epochs where the kind has them, by the names it gives them.
  const { example, epochsOption } = modelKindInfo(kind);
  const options = { ...(example.factors === undefined ? {} : { factors: 7 }), ...(epochsOption === undefined ? {} : { [epochsOption]: 4 }) };
  it('save -> load -> predict, recommend and similar are bit-identical; the kind survives', async () => {
    const model = createModel({ model: kind, ...options });
    model.fit(data);
    model.foldIn([[data.items.raw[1], 5], [data.items.raw[2], 1]], { user: 'visitor' });
    const loaded = FactorModel.load(model.save());
    expect(loaded.constructor).toBe(model.constructor);
    expect(Array.from(loaded.predictMany([...pairs, ['visitor', data.items.raw[3]], ['nobody', 'nothing']]))).toEqual(
      Array.from(model.predictMany([...pairs, ['visitor', data.items.raw[3]], ['nobody', 'nothing']])),
    );
    expect(loaded.recommend('visitor', { n: 5 })).toEqual(model.recommend('visitor', { n: 5 }));
    if (kind !== 'baseline') expect(loaded.similarItems(data.items.raw[0], { n: 5 })).toEqual(model.similarItems(data.items.raw[0], { n: 5 }));

    const path = join(mkdtempSync(join(tmpdir(), 'latentrec-model-')), `${kind}.lrec`);
    await saveModelToFile(path, model);
    const fromFile = await loadModelFromFile(path);
    expect(Array.from(fromFile.predictMany(pairs))).toEqual(Array.from(model.predictMany(pairs)));
  });
});

describe('refusals and imports', () => {
  it('a truncated or corrupted file is refused with a reason', () => {
    const model = createModel({ factors: 3, epochs: 2 });
    model.fit(data);
    const bytes = model.save();
    expect(() => FactorModel.load(bytes.slice(0, bytes.length - 9))).toThrow(ModelFileError);
    const flipped = bytes.slice();
    flipped[100] ^= 0xff;
    expect(() => FactorModel.load(flipped)).toThrow(/corrupt|checksum/i);
  });

  it('Spark ALS factors serve predictions and recommendations as an ImportedModel', () => {
    const users = '{"id":1,"features":[1,0]}\n{"id":2,"features":[0,1]}\n';
    const items = '{"id":10,"features":[2,0.5]}\n{"id":11,"features":[0.5,2]}\n{"id":12,"features":[1,1]}\n';
    const model = FactorModel.fromState(importSparkAls(users, items));
    expect(model.constructor.name).toBe('ImportedModel');
    expect(model.predict('1', '10').estimate).toBeCloseTo(2, 6);
    expect(model.recommend('2', { n: 1 })[0].item).toBe('11');
    expect(() => model.fit(data)).toThrow(/cannot be fitted/);
  });
});
