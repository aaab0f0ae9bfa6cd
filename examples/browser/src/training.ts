// The "train a model in your browser" panel: sends the chosen file to a fresh worker, shows each
// epoch as progress and a growing learning curve, and offers the trained model to the page.
import { drawCurve } from './curve.js';
import { errorMessage, showMessage } from './dom.js';
import { BROWSER_TRAINING, type EpochPoint, type TrainReply, type TrainRequest } from './worker-protocol.js';

export interface TrainingElements {
  file: HTMLInputElement;
  train: HTMLButtonElement;
  progress: HTMLProgressElement;
  status: HTMLElement;
  error: HTMLElement;
  curve: HTMLElement;
  use: HTMLButtonElement;
}

export class TrainingPanel {
  private worker: Worker | undefined;
  private points: EpochPoint[] = [];
  private trained: { bytes: Uint8Array; name: string } | undefined;

  constructor(
    private readonly dom: TrainingElements,
    /** Called when the visitor switches to the model just trained. */
    onUse: (bytes: Uint8Array, name: string) => void,
  ) {
    dom.progress.max = BROWSER_TRAINING.epochs;
    dom.file.addEventListener('change', () => {
      dom.train.disabled = !dom.file.files?.length;
    });
    dom.train.addEventListener('click', () => void this.start());
    dom.use.addEventListener('click', () => {
      if (this.trained) onUse(this.trained.bytes, this.trained.name);
    });
  }

  private async start(): Promise<void> {
    const file = this.dom.file.files?.[0];
    if (!file) return;
    this.worker?.terminate(); // a second click restarts rather than racing the first run
    this.points = [];
    this.trained = undefined;
    this.dom.use.disabled = true;
    this.dom.progress.value = 0;
    drawCurve(this.dom.curve, []);
    showMessage(this.dom.error, undefined);
    this.dom.status.textContent = `Reading ${file.name}…`;
    this.dom.status.dataset.state = 'running';
    const bytes = await file.arrayBuffer();
    const worker = new Worker(new URL('./train-worker.js', import.meta.url), { type: 'module', name: 'latentrec training' });
    this.worker = worker;
    worker.onmessage = (event: MessageEvent<TrainReply>) => this.receive(event.data, file.name, worker);
    worker.onerror = (event) => this.fail(`the training worker failed: ${event.message || 'could not start it'}`, worker);
    const request: TrainRequest = { type: 'train', bytes, fileName: file.name };
    worker.postMessage(request, [bytes]);
    this.dom.status.textContent = `Parsing ${file.name} in a worker…`;
  }

  private receive(reply: TrainReply, fileName: string, worker: Worker): void {
    if (worker !== this.worker) return; // a restarted run's late message
    switch (reply.type) {
      case 'parsed':
        this.dom.status.textContent =
          `${fileName}: ${reply.ratings.toLocaleString('en')} ratings (${reply.format}), ${reply.users.toLocaleString('en')} users, ` +
          `${reply.items.toLocaleString('en')} items; training SVD k=${BROWSER_TRAINING.factors} on ${reply.train.toLocaleString('en')}, ` +
          `validating on ${reply.validation.toLocaleString('en')}…`;
        break;
      case 'epoch':
        this.points.push(reply.point);
        this.dom.progress.value = reply.point.epoch;
        this.draw();
        break;
      case 'done': {
        worker.terminate();
        this.trained = { bytes: new Uint8Array(reply.model), name: `SVD k=${BROWSER_TRAINING.factors} trained here on ${fileName}` };
        const rmse = reply.validationRmse === undefined ? '' : `, validation RMSE ${reply.validationRmse.toFixed(4)}`;
        this.dom.status.textContent = `Trained in ${reply.fitSeconds.toFixed(2)} s${reply.threads > 1 ? ` on ${reply.threads} threads` : ''}${rmse}. Use it to rank the catalogue with your ratings.`;
        this.dom.status.dataset.state = 'done';
        this.dom.use.disabled = false;
        break;
      }
      case 'error':
        this.fail(reply.message, worker);
        break;
    }
  }

  private draw(): void {
    try {
      drawCurve(this.dom.curve, this.points);
    } catch (err) {
      showMessage(this.dom.error, errorMessage(err));
    }
  }

  private fail(message: string, worker: Worker): void {
    worker.terminate();
    if (worker === this.worker) this.worker = undefined;
    this.dom.status.textContent = 'Training stopped.';
    this.dom.status.dataset.state = 'error';
    showMessage(this.dom.error, message);
  }
}
