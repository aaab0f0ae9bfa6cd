// A model whose factors were trained elsewhere (e.g. Spark MLlib ALS, imported from its JSON
// lines): it predicts, recommends and finds similar items, but cannot be fitted here. Spark's
// explicit ALS predicts ratings, clipped to the scale the import was given: a rating model.
import { LatentrecError } from '../../errors.js';
import type { ModelShape, Trainer } from '../core/model.js';
import { integer } from '../core/options.js';
import { MAX_FACTORS } from '../core/state.js';
import { RatingBase } from './rating-base.js';

export class ImportedModel extends RatingBase {
  protected readonly stateKind = 'imported' as const;
  protected readonly shape: ModelShape;
  readonly options: object = {};

  constructor(factors: number) {
    super();
    integer('factors', factors, 0, MAX_FACTORS);
    this.shape = { factors, biased: false, epochs: 0, engine: 'auto', wasmVariant: undefined, seed: 0, rng: 'mt19937' };
  }

  protected initialize(): void {
    throw new LatentrecError('ImportedModel: its factors were trained elsewhere; it cannot be fitted here (create an SVD or MF to train)');
  }

  protected createTrainer(): Trainer {
    throw new LatentrecError('ImportedModel cannot be fitted');
  }
}
