// Parses an uploaded ratings file and trains SVD off the page's thread, posting each epoch's
// RMSE as it goes and the saved model (model.save()) at the end. Runs as a module worker; large
// uploads (500,000 ratings and more) train on every core (threads 'auto').
import { holdoutSplit, parseRatings, prepareThreads, SVD } from 'latentrec';
import { BROWSER_TRAINING, type TrainReply, type TrainRequest } from './worker-protocol.js';

// The DOM typings describe a window; this is the part of the worker scope used here.
const scope = self as unknown as {
  onmessage: ((event: MessageEvent<TrainRequest>) => void) | null;
  postMessage(message: TrainReply, options?: StructuredSerializeOptions): void;
};

// Blocked SGD can use every core, but a browser starts no worker while a fit blocks this thread:
// start them first (once). Where the page is not cross-origin isolated this resolves to 1.
let threadsReady: Promise<number> | undefined;

scope.onmessage = async (event) => {
  try {
    threadsReady ??= prepareThreads(navigator.hardwareConcurrency || 1).catch(() => 1);
    await threadsReady;
    train(event.data);
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    scope.postMessage({ type: 'error', name: error.name, message: error.message });
  }
};

function train({ bytes, fileName }: TrainRequest): void {
  const { dataset, summary } = parseRatings(bytes, { source: fileName });
  const { train, test: validation } = holdoutSplit(dataset, { testRatio: BROWSER_TRAINING.validationRatio, seed: BROWSER_TRAINING.seed });
  scope.postMessage({
    type: 'parsed', ratings: summary.ratings, users: summary.users, items: summary.items, format: summary.format,
    train: train.size, validation: validation.size,
  });
  const { factors, epochs, seed } = BROWSER_TRAINING;
  const model = new SVD({ factors, epochs, seed });
  const fit = model.fit(train, {
    validation,
    onEpoch: ({ epoch, trainRmse, validationRmse }) => scope.postMessage({ type: 'epoch', point: { epoch, trainRmse, validationRmse }, epochs }),
  });
  const saved = model.save();
  // A fresh buffer of exactly the file's bytes, so it can be transferred whole.
  const buffer = saved.slice().buffer;
  scope.postMessage(
    { type: 'done', model: buffer, fitSeconds: fit.fitSeconds, validationRmse: fit.epochs.at(-1)?.validationRmse, threads: fit.threads ?? 1 },
    { transfer: [buffer] },
  );
}
