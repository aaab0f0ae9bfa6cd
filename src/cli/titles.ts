// Item titles for display: MovieLens 100k's u.item (latin-1, `id|title|...`). They come from a
// file the user names (--titles, or the u.item beside the --data file of `demo`), never from a
// path recorded inside a model file: a model file is data, and following its paths would let a
// crafted file make the CLI read (or hang on) any file it names.
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { OptionError } from '../errors.js';

/** Titles from a u.item-style file the user named with `flag`; a missing or special file is an error. */
export function loadTitles(flag: string, path: string): Map<string, string> {
  let regular: boolean;
  try {
    regular = statSync(path).isFile();
  } catch {
    throw new OptionError(flag, 'an existing file (MovieLens u.item: id|title|...)', path);
  }
  if (!regular) throw new OptionError(flag, 'a regular file (MovieLens u.item: id|title|...)', path);
  return parseTitles(readFileSync(path, 'latin1'));
}

/** Titles from the u.item beside `dataPath` when there is one (demo --data PATH/u.data). */
export function titlesBeside(dataPath: string): Map<string, string> | undefined {
  const path = join(dirname(dataPath), 'u.item');
  try {
    if (!statSync(path).isFile()) return undefined;
  } catch {
    return undefined;
  }
  return parseTitles(readFileSync(path, 'latin1'));
}

function parseTitles(text: string): Map<string, string> {
  const titles = new Map<string, string>();
  for (const line of text.split('\n')) {
    const [id, title] = line.split('|');
    if (id && title) titles.set(id, title);
  }
  return titles;
}
