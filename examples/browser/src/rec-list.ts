// The visitor's top 10: title, genres, predicted score, and the liked item that explains it.
// Each row carries its exact score in data-score, so a test can compare it with Node's.
import type { Recommendation } from 'latentrec';
import type { Catalog } from './catalog.js';
import { el } from './dom.js';
import { genreLine } from './rate-list.js';

export function renderRecommendations(
  list: HTMLOListElement,
  recommendations: readonly Recommendation[],
  catalog: Catalog,
  becauseOf: (item: string) => string | undefined,
): void {
  list.replaceChildren(
    ...recommendations.map(({ id: item, score }) => {
      const { title, genres } = catalog.describe(item);
      const liked = becauseOf(item);
      return el('li', { className: 'rec-item', attrs: { 'data-testid': 'rec-item', 'data-item-id': item, 'data-score': String(score) } }, [
        el('div', { className: 'item-text' }, [
          el('span', { className: 'title', text: title }),
          genreLine(genres),
          ...(liked === undefined
            ? []
            : [el('span', { className: 'because', attrs: { 'data-testid': 'because' }, text: `because you liked ${catalog.describe(liked).title}` })]),
        ]),
        el('span', { className: 'score', attrs: { 'data-testid': 'rec-score', title: 'predicted rating' }, text: score.toFixed(2) }),
      ]);
    }),
  );
}
