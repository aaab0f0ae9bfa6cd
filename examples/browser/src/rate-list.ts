// The items a visitor can rate: most popular first, filtered by a title search, a page at a time
// (a catalogue of thousands of rows with five buttons each would make every keystroke slow).
// One click listener serves every star button.
import type { Catalog } from './catalog.js';
import { el } from './dom.js';

const PAGE = 40;
const STARS = [1, 2, 3, 4, 5];

export interface RateListElements {
  list: HTMLOListElement;
  search: HTMLInputElement;
  more: HTMLButtonElement;
  summary: HTMLElement;
}

export class RateList {
  private items: readonly string[] = [];
  private searchKeys = new Map<string, string>();
  private shown = PAGE;

  constructor(
    private readonly dom: RateListElements,
    private readonly catalog: Catalog,
    private readonly ratings: ReadonlyMap<string, number>,
    onRate: (item: string, stars: number) => void,
  ) {
    dom.list.addEventListener('click', (event) => {
      const button = (event.target as Element).closest<HTMLButtonElement>('button[data-stars]');
      const row = button?.closest<HTMLElement>('[data-item-id]');
      if (button && row) onRate(row.dataset.itemId!, Number(button.dataset.stars));
    });
    dom.search.addEventListener('input', () => {
      this.shown = PAGE;
      this.render();
    });
    dom.more.addEventListener('click', () => {
      this.shown += PAGE;
      this.render();
    });
  }

  /** The items of a (new) model, most popular first. */
  setItems(items: readonly string[]): void {
    this.items = items;
    this.searchKeys = new Map(items.map((id) => [id, searchKey(this.catalog.describe(id).title)]));
    this.shown = PAGE;
    this.render();
  }

  render(): void {
    const query = searchKey(this.dom.search.value.trim());
    const matching = query ? this.items.filter((id) => this.searchKeys.get(id)!.includes(query)) : this.items;
    const visible = matching.slice(0, this.shown);
    this.dom.list.replaceChildren(...visible.map((id) => this.row(id)));
    this.dom.more.hidden = matching.length <= visible.length;
    this.dom.summary.textContent = query
      ? `${matching.length} of ${this.items.length} titles match`
      : `${this.items.length} titles, most rated first`;
  }

  /** Refreshes one row's stars after a rating, without rebuilding the list. */
  refresh(item: string): void {
    const row = [...this.dom.list.children].find((child) => (child as HTMLElement).dataset.itemId === item);
    row?.replaceWith(this.row(item));
  }

  private row(id: string): HTMLLIElement {
    const { title, genres } = this.catalog.describe(id);
    const rated = this.ratings.get(id);
    const stars = STARS.map((n) =>
      el('button', {
        className: rated !== undefined && n <= rated ? 'star on' : 'star',
        text: '★',
        attrs: {
          type: 'button',
          'data-testid': 'star',
          'data-stars': String(n),
          'aria-pressed': String(rated === n),
          'aria-label': `${n} star${n === 1 ? '' : 's'} for ${title}`,
          title: `${n} star${n === 1 ? '' : 's'}`,
        },
      }),
    );
    return el('li', { className: rated !== undefined ? 'rate-item rated' : 'rate-item', attrs: { 'data-testid': 'rate-item', 'data-item-id': id } }, [
      el('div', { className: 'item-text' }, [el('span', { className: 'title', text: title }), genreLine(genres)]),
      el('div', { className: 'stars', attrs: { role: 'group', 'aria-label': `Rate ${title}` } }, stars),
    ]);
  }
}

export function genreLine(genres: readonly string[]): HTMLElement {
  return el('span', { className: 'genres', text: genres.join(' · ') });
}

/** Case- and accent-insensitive, so "cafe" finds "Café au Lait". */
function searchKey(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}
