// Messages between the page and the training worker (train-worker.ts).

/** The settings of a model trained in the browser: small enough to take seconds, not minutes. */
export const BROWSER_TRAINING = { factors: 32, epochs: 20, seed: 0, validationRatio: 0.1 } as const;

/** Page → worker: the uploaded file's bytes (transferred, not copied) and its name for errors. */
export interface TrainRequest {
  type: 'train';
  bytes: ArrayBuffer;
  fileName: string;
}

export interface EpochPoint {
  epoch: number;
  trainRmse: number;
  validationRmse?: number;
}

/** Worker → page. */
export type TrainReply =
  | { type: 'parsed'; ratings: number; users: number; items: number; format: string; train: number; validation: number }
  | { type: 'epoch'; point: EpochPoint; epochs: number }
  | { type: 'done'; model: ArrayBuffer; fitSeconds: number; validationRmse?: number; threads: number }
  /** `message` is the package's own: a ParseError reads `file:line: field: reason`. */
  | { type: 'error'; name: string; message: string };
