// Node-only loading of feature files and of MovieLens 100k's user and movie features.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError } from '../errors.js';
import { parseFeatures, type FeatureParseOptions, type Features } from './features.js';
import { ml100kItemFeatures, ml100kUserFeatures } from './ml100k-features.js';

/**
 * Reads a feature file (UTF-8; format in ./features.ts) and parses it; errors name the path.
 * `await loadFeaturesFile('items.csv', { kind: 'item', knownIds: dataset.items })`.
 * The format is {@link parseFeatures}'s.
 *
 * @param path - The file.
 * @param options - As for parseFeatures; `source` is the path.
 * @returns The features.
 * @throws {@link DataError} When the file is missing or unreadable (or a directory), or has no feature row.
 * @throws {@link ParseError} For a malformed line, naming the path and line.
 * @throws {@link OptionError} When `kind` is not 'user' or 'item'.
 */
export async function loadFeaturesFile(
  path: string,
  options: Omit<FeatureParseOptions, 'source'> = {},
): Promise<Features> {
  const text = await readText(path, 'utf8', `${options.kind ?? 'item'} features file`);
  return parseFeatures(text, { ...options, source: path });
}

/**
 * MovieLens 100k's features from its directory: users from u.user, movies from u.item with the
 * genre names of u.genre when it is there (else the standard 19). The files are latin-1, as
 * GroupLens ships them (u.item has accented titles).
 * `const { users, items } = await loadMl100kFeatures('ml-100k')`.
 * The features are those of {@link ml100kUserFeatures} and {@link ml100kItemFeatures}.
 *
 * @param dir - The MovieLens 100k directory (holding u.user and u.item).
 * @returns The user and the movie features.
 * @throws {@link DataError} When u.user or u.item is missing or unreadable, or a file has no rows.
 * @throws {@link ParseError} For a malformed line of any of the three files.
 */
export async function loadMl100kFeatures(dir: string): Promise<{
  /** User features from u.user: age group, gender, occupation, zip region. */
  users: Features;
  /** Movie features from u.item: genres and release period. */
  items: Features;
}> {
  const userPath = join(dir, 'u.user');
  const itemPath = join(dir, 'u.item');
  const genrePath = join(dir, 'u.genre');
  const [userText, itemText, genreText] = await Promise.all([
    readText(userPath, 'latin1', 'MovieLens 100k user file'),
    readText(itemPath, 'latin1', 'MovieLens 100k movie file'),
    readText(genrePath, 'latin1', 'MovieLens 100k genre file', true),
  ]);
  return {
    users: ml100kUserFeatures(userText, userPath),
    items: ml100kItemFeatures(itemText, genreText, itemPath, genrePath),
  };
}

/** A file's text; a missing or unreadable file is a DataError naming it (or undefined when optional and absent). */
async function readText(path: string, encoding: BufferEncoding, what: string, optional: true): Promise<string | undefined>;
async function readText(path: string, encoding: BufferEncoding, what: string): Promise<string>;
async function readText(path: string, encoding: BufferEncoding, what: string, optional = false): Promise<string | undefined> {
  try {
    return await readFile(path, encoding);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (optional && code === 'ENOENT') return undefined;
    // Any refusal of the file system (ENOENT, EACCES, EISDIR, EPERM, EMFILE, EIO, ...) names the file.
    if (typeof code === 'string') {
      throw new DataError(`cannot read ${what} ${path}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
    }
    throw err;
  }
}
