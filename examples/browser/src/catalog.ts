// What the page knows about items beyond the model: titles and genres, from catalog.json
// ([{ id, title, genres }], written by scripts/build-demo.mjs). Items the catalogue does not list
// (a model trained on an uploaded file) still show, as "Item <id>".

export interface CatalogItem {
  id: string;
  title: string;
  genres: readonly string[];
}

export class Catalog {
  private readonly byId = new Map<string, CatalogItem>();

  constructor(items: readonly CatalogItem[]) {
    for (const item of items) this.byId.set(item.id, item);
  }

  describe(id: string): CatalogItem {
    return this.byId.get(id) ?? { id, title: `Item ${id}`, genres: [] };
  }

  get size(): number {
    return this.byId.size;
  }
}

export async function fetchCatalog(url: string): Promise<Catalog> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not load the catalogue ${url}: HTTP ${response.status}`);
  return new Catalog(checkCatalog(await response.json(), url));
}

/** The JSON is checked field by field, so a wrong file says what is wrong instead of rendering "undefined". */
function checkCatalog(json: unknown, url: string): CatalogItem[] {
  if (!Array.isArray(json)) throw new Error(`${url}: a catalogue is a JSON array of {id, title, genres}`);
  return json.map((entry: unknown, at) => {
    const { id, title, genres } = (entry ?? {}) as Record<string, unknown>;
    if (typeof id !== 'string' && typeof id !== 'number') throw new Error(`${url}: entry ${at} has no id`);
    if (typeof title !== 'string') throw new Error(`${url}: entry ${at} (id ${id}) has no title`);
    const genreList = Array.isArray(genres) ? genres.filter((g): g is string => typeof g === 'string') : [];
    return { id: String(id), title, genres: genreList };
  });
}
