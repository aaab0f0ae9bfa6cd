// The ranking family (implicit feedback: BPR, ALS, the hybrid, popularity): scores rank items and
// are never clipped to a rating scale; an epoch's loss is the model's own (misranked pairs, the
// CG residual). There is no validation RMSE to stop early on: rank a held-out set with
// evaluateModelRanking instead. A fit takes onEpoch, checkpoint (by the loss) and signal.
import type { Dataset } from '../../data/dataset.js';
import type { FitScoring } from '../core/fit-loop.js';
import type { Fitted } from '../core/fitted.js';
import { Model } from '../core/model.js';
import type { EpochLoss, EpochReport } from '../core/types.js';

export abstract class RankingBase extends Model<EpochReport> {
  protected readonly fitOptionKeys: readonly string[] = [];
  protected readonly clipsToScale = false;

  protected scoring(_fitted: Fitted, _train: Dataset): FitScoring<EpochReport> {
    return {
      report: (epoch: number, loss: EpochLoss, seconds: number) => ({ epoch, loss, seconds }),
      criterion: (report) => report.loss.value,
    };
  }

  /** BPR's and the hybrid's step is `lr` (ALS overrides this: it has none). */
  protected override divergenceHint(): string {
    return 'lower the learning rate (lr / --lr) or raise the regularization';
  }
}
