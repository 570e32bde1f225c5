import fs from 'node:fs';
import path from 'node:path';

/**
 * The project's root (the folder of package.json), found from this file's folder: the same whether the code runs
 * from its TypeScript sources (tsx) or from the compiled output in dist/. Files that are not compiled (migrations,
 * the console's sources and styles, the roster, the workflow sources) are read from there.
 */
function findRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(start, '..');
  }
}

export const PROJECT_ROOT = findRoot(__dirname);
