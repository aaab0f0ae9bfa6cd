// The rating family (explicit feedback: SVD, MF, SVD++, Baseline, PureSVD, imported factors):
// predictions are ratings, clipped to the training scale; an epoch's loss is an RMSE; a fit can be
// scored on a validation set after every epoch and stopped early when its RMSE stops improving.
import type { Dataset } from '../../data/dataset.js';
import { DataError } from '../../errors.js';
import type { FitScoring, Stopping } from '../core/fit-loop.js';
import type { Fitted } from '../core/fitted.js';
import { Model } from '../core/model.js';
import type { EpochLoss, FitOptions, FitResult, RatingEpochReport } from '../core/types.js';
import { resolveEarlyStopping } from './early-stopping.js';

export abstract class RatingBase extends Model<RatingEpochReport> {
  protected readonly fitOptionKeys: readonly string[] = ['validation', 'trainMetric', 'earlyStopping'];
  protected readonly clipsToScale = true;

  /**
   * Trains from scratch on `train`. Returns the learning curve; with `validation`, each epoch is
   * scored on it, and `earlyStopping` can end the fit (restoring the best epoch by default).
   * `checkpoint` keeps a copy of the best epoch so far, so an aborted or diverging fit leaves the
   * model at that epoch; `signal` stops the fit after the current epoch (see Model.fit).
   * @param train - The training ratings.
   * @param options - Validation set, early stopping, train metric, callbacks (see {@link FitOptions}).
   * @returns The learning curve (one report per epoch, with its training RMSE) and how the fit ran.
   * @throws {@link DataError} when `train` (or `validation`) is not a Dataset or `train` has no ratings,
   * or the fit would not fit in wasm32's 4 GiB.
   * @throws {@link OptionError} when an option is unknown, of the wrong type or out of range
   * (e.g. earlyStopping without validation).
   * @throws {@link DivergenceError} when the loss becomes NaN or infinite.
   * @throws {@link LatentrecError} when a fit is already running on this model, or the signal was
   * aborted before the first epoch.
   */
  override fit(train: Dataset, options: FitOptions = {}): FitResult<RatingEpochReport> {
    return super.fit(train, options);
  }

  /**
   * fit(), giving the event loop a turn between epochs (see {@link Model.fitAsync}).
   * @param train - The training ratings.
   * @param options - As for fit.
   * @returns A promise of what fit returns; it rejects with the errors fit throws.
   */
  override fitAsync(train: Dataset, options: FitOptions = {}): Promise<FitResult<RatingEpochReport>> {
    return super.fitAsync(train, options);
  }

  protected override earlyStopping(options: FitOptions): Stopping | undefined {
    return resolveEarlyStopping(options);
  }

  protected scoring(fitted: Fitted, train: Dataset, options: FitOptions): FitScoring<RatingEpochReport> {
    const validation = options.validation ? this.prepareScoring(fitted, options.validation) : undefined;
    const fullTrain = options.trainMetric === 'full' ? this.prepareScoring(fitted, train) : undefined;
    const validated = (report: RatingEpochReport): RatingEpochReport => {
      if (validation) {
        const { rmse, mae } = validation.score();
        report.validationRmse = rmse;
        report.validationMae = mae;
      }
      return report;
    };
    return {
      report: (epoch: number, loss: EpochLoss, seconds: number) =>
        validated({ epoch, loss, trainRmse: fullTrain ? fullTrain.score().rmse : loss.value, seconds }),
      criterion: (report) => report.validationRmse ?? report.trainRmse,
      closedForm: () => {
        // A model without gradient descent (PureSVD) still gets one point on its curve: epoch 0.
        const rmse = (fullTrain ?? this.prepareScoring(fitted, train)).score().rmse;
        return validated({ epoch: 0, loss: { value: rmse, kind: 'rmse' }, trainRmse: rmse, seconds: 0 });
      },
    };
  }

  /**
   * partialFit's ratings must lie within the model's rating scale: values outside would train the
   * model towards estimates it then clips (and large ones make SGD diverge). The ratings are
   * float32: so are the bounds they are compared with (1e20 is stored above 1e20).
   */
  protected override checkPartialData(data: Dataset, m: Fitted): void {
    const lo = Math.fround(m.scale.lo), hi = Math.fround(m.scale.hi);
    for (let t = 0; t < data.size; t++) {
      const r = data.ratings[t];
      if (r >= lo && r <= hi) continue;
      throw new DataError(
        `partialFit: the rating at row ${t} (user ${JSON.stringify(data.users.raw[data.userIndex[t]])}, item ${JSON.stringify(data.items.raw[data.itemIndex[t]])}) ` +
          `is ${r}, outside the model's rating scale [${m.scale.lo}, ${m.scale.hi}]`,
      );
    }
  }
}

/** The loss of a pass that returns its sum of squared errors over n ratings. */
export function rmseLoss(sse: number, n: number): EpochLoss {
  return { value: Math.sqrt(sse / n), kind: 'rmse' };
}
