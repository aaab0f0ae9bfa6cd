// Early stopping on the validation set: options checked up front, so a long fit never fails late.
import { OptionError } from '../../errors.js';
import type { FitOptions } from '../core/types.js';

export interface ResolvedEarlyStopping {
  patience: number;
  minDelta: number;
  restoreBest: boolean;
}

export const EARLY_STOPPING_DEFAULTS: ResolvedEarlyStopping = { patience: 3, minDelta: 0, restoreBest: true };

export function resolveEarlyStopping(options: FitOptions): ResolvedEarlyStopping | undefined {
  const given = options.earlyStopping;
  if (given === undefined || given === false) return undefined;
  if (options.validation === undefined) {
    throw new OptionError('earlyStopping', 'used together with a validation set: fit(train, { validation, earlyStopping })', 'no validation set');
  }
  const s = { ...EARLY_STOPPING_DEFAULTS, ...(given === true ? {} : given) };
  if (!Number.isInteger(s.patience) || s.patience < 1) throw new OptionError('earlyStopping.patience', 'an integer >= 1', s.patience);
  if (!(Number.isFinite(s.minDelta) && s.minDelta >= 0)) throw new OptionError('earlyStopping.minDelta', 'a finite number >= 0', s.minDelta);
  if (typeof s.restoreBest !== 'boolean') throw new OptionError('earlyStopping.restoreBest', 'true or false', s.restoreBest);
  return s;
}
