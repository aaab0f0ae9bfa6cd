// The personalization page: a visitor rates a few items, is folded into a trained model on the
// spot (no retraining) and sees the whole catalogue re-ranked for them. Everything runs in the
// page: the model file is fetched once, fold-in and ranking are the package's wasm kernels.
//
// Query parameters: ?model=URL&catalog=URL (default dist/model.lrec and dist/catalog.json, which
// `npm run demo:build` writes).
import { Catalog, fetchCatalog } from './catalog.js';
import { byId, errorMessage, showMessage } from './dom.js';
import { wireModelUpload } from './model-upload.js';
import { RateList } from './rate-list.js';
import { renderRecommendations } from './rec-list.js';
import { ServedModel } from './served-model.js';
import { TrainingPanel } from './training.js';

const params = new URLSearchParams(location.search);
const modelUrl = params.get('model') ?? 'dist/model.lrec';
const catalogUrl = params.get('catalog') ?? 'dist/catalog.json';

const page = {
  modelInfo: byId('model-info'),
  status: byId('status'),
  recList: byId<HTMLOListElement>('rec-list'),
  recEmpty: byId('rec-empty'),
  rankError: byId('rank-error'),
  rankMs: byId('rank-ms'),
  rankItems: byId('rank-items'),
  ratedCount: byId('rated-count'),
  reset: byId<HTMLButtonElement>('reset'),
};

/** The visitor's ratings, item id → stars; they survive a switch of model. */
const ratings = new Map<string, number>();
let served: ServedModel | undefined;
let rateList: RateList | undefined;
/** Titles and genres; without catalog.json the page still works, with "Item <id>" for titles. */
let catalog = new Catalog([]);

function rate(item: string, stars: number): void {
  ratings.set(item, stars);
  rateList?.refresh(item);
  rerank();
}

function rerank(): void {
  page.ratedCount.textContent = String(ratings.size);
  page.reset.disabled = ratings.size === 0;
  page.recEmpty.hidden = ratings.size > 0;
  if (!served || ratings.size === 0) {
    page.recList.replaceChildren();
    showMessage(page.rankError, undefined);
    page.rankMs.textContent = '–';
    return;
  }
  const model = served;
  try {
    const { recommendations, milliseconds } = model.rank(ratings);
    renderRecommendations(page.recList, recommendations, catalog, (item) => model.becauseOf(item, ratings));
    page.rankMs.textContent = milliseconds.toFixed(2);
    page.rankMs.dataset.ms = String(milliseconds);
    showMessage(page.rankError, undefined);
  } catch (err) {
    // e.g. none of the rated items is in a newly loaded model
    page.recList.replaceChildren();
    showMessage(page.rankError, errorMessage(err));
  }
}

function serve(next: ServedModel): void {
  served = next;
  page.modelInfo.textContent = `${next.origin}: ${next.summary}`;
  page.rankItems.textContent = next.itemCount.toLocaleString('en');
  rateList?.setItems(next.itemsByPopularity);
  rerank();
}

async function loadModel(url: string): Promise<ServedModel> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not load the model ${url}: HTTP ${response.status} (run \`npm run demo:build\` to write it)`);
  return ServedModel.fromBytes(new Uint8Array(await response.arrayBuffer()), url);
}

async function start(): Promise<void> {
  const [model, fetched] = await Promise.allSettled([loadModel(modelUrl), fetchCatalog(catalogUrl)]);
  if (fetched.status === 'fulfilled') catalog = fetched.value;
  else showMessage(page.status, errorMessage(fetched.reason));
  rateList = new RateList(
    { list: byId('rate-list'), search: byId('search'), more: byId('show-more'), summary: byId('rate-summary') },
    catalog,
    ratings,
    rate,
  );
  page.reset.addEventListener('click', () => {
    ratings.clear();
    rateList?.render();
    rerank();
  });
  new TrainingPanel(
    {
      file: byId('train-file'), train: byId('train-button'), progress: byId('train-progress'), status: byId('train-status'),
      error: byId('train-error'), curve: byId('curve'), use: byId('use-trained'),
    },
    (bytes, name) => serve(ServedModel.fromBytes(bytes, name)),
  );
  wireModelUpload({ file: byId('model-file'), status: byId('model-status'), error: byId('model-error') }, serve);
  if (model.status === 'rejected') {
    page.modelInfo.textContent = 'No model loaded.';
    showMessage(page.status, errorMessage(model.reason));
    document.body.dataset.ready = 'error';
    return;
  }
  serve(model.value);
  document.body.dataset.ready = 'true'; // for tests and scripts: the page can be used now
}

start().catch((err) => showMessage(page.status, errorMessage(err)));
