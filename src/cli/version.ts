// The package's version for `latentrec --version`: read from package.json, which sits two levels
// above this module both in the source (src/cli/) and in the package (dist/cli/).
import { readFileSync } from 'node:fs';

export function packageVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}
