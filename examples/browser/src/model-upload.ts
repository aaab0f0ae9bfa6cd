// "Load a model file": a .lrec from disk replaces the served model. FactorModel.load checks
// everything (magic, version, CRC, every length); what it refuses is shown with its own message
// and the model in use stays.
import { errorMessage, showMessage } from './dom.js';
import { ServedModel } from './served-model.js';

export interface ModelUploadElements {
  file: HTMLInputElement;
  status: HTMLElement;
  error: HTMLElement;
}

export function wireModelUpload(dom: ModelUploadElements, onModel: (served: ServedModel) => void): void {
  dom.file.addEventListener('change', async () => {
    const file = dom.file.files?.[0];
    if (!file) return;
    showMessage(dom.error, undefined);
    let served: ServedModel;
    try {
      served = ServedModel.fromBytes(new Uint8Array(await file.arrayBuffer()), `model file ${file.name}`);
    } catch (err) {
      dom.status.textContent = `${file.name} was refused; the current model stays in use.`;
      showMessage(dom.error, `${file.name}: ${errorMessage(err)}`); // ModelFileError: which check failed, what to do
      return;
    }
    dom.status.textContent = `Loaded ${file.name}.`;
    onModel(served);
  });
}
