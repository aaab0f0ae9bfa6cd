// Train Surprise-style SVD on MovieLens 100k's u1 fold and recommend for one user.
//   node examples/train-movielens.mjs path/to/ml-100k
// (after `npm ci`; the package resolves itself through its "exports" map)
import { SVD, evaluate, loadFolds } from 'latentrec/node';

const dir = process.argv[2] ?? '../shared/data/ml-100k';
const [u1] = await loadFolds(dir);
const model = new SVD({ factors: 100, epochs: 20, seed: 0 });
const { epochs, fitSeconds } = model.fit(u1.train, { validation: u1.test });
for (const e of epochs) console.log(`epoch ${e.epoch}: train ${e.trainRmse.toFixed(4)}, test ${e.validationRmse.toFixed(4)}`);
const { rmse, mae } = evaluate(model, u1.test);
console.log(`fit ${fitSeconds.toFixed(2)} s, test RMSE ${rmse.toFixed(4)}, MAE ${mae.toFixed(4)}`);
console.log(model.predict('1', '6'));
console.log(model.recommend('1', { n: 5 }));
