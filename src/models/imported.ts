// A model whose factors were trained elsewhere (e.g. Spark MLlib ALS, imported from its JSON
// lines): it predicts, recommends and finds similar items, but cannot be fitted here.
import { LatentrecError } from '../errors.js';
import { FactorModel, type ModelShape, type Trainer } from './factor-model.js';
import { integer, MAX_FACTORS } from './options.js';

export class ImportedModel extends FactorModel {
  protected readonly stateKind = 'imported' as const;
  protected readonly shape: ModelShape;

  constructor(factors: number) {
    super();
    integer('factors', factors, 0, MAX_FACTORS);
    this.shape = { factors, biased: false, epochs: 0, engine: 'wasm', wasmVariant: undefined, seed: 0, rng: 'mt19937' };
  }

  protected initialize(): void {
    throw new LatentrecError('ImportedModel: its factors were trained elsewhere; it cannot be fitted here (create an SVD or MF to train)');
  }

  protected createTrainer(): Trainer {
    throw new LatentrecError('ImportedModel cannot be fitted');
  }
}
