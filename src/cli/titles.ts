// Item titles for display: MovieLens 100k's u.item (latin-1, `id|title|...`) beside the ratings
// file a model was trained on.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export function readMovieTitles(path: string): Map<string, string> | undefined {
  if (!existsSync(path)) return undefined;
  const titles = new Map<string, string>();
  for (const line of readFileSync(path, 'latin1').split('\n')) {
    const [id, title] = line.split('|');
    if (id && title) titles.set(id, title);
  }
  return titles;
}

/** Titles from u.item beside `dataPath` (the file a model was trained on), when there is one. */
export function titlesBeside(dataPath: unknown): Map<string, string> | undefined {
  return typeof dataPath === 'string' ? readMovieTitles(join(dirname(dataPath), 'u.item')) : undefined;
}
