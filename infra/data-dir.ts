import fs from 'node:fs';
import path from 'node:path';

/**
 * The data directory holds the embedded Temporal's SQLite, the PGlite database, the mail files and the generated
 * keys and tokens: owner-only. The process umask (inherited by the Temporal dev server it starts) makes every new
 * file 0600 and directory 0700; what an older version left readable is tightened once at start.
 */
export function secureDataDir(dir: string): void {
  process.umask(0o077);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tighten = (p: string, depth: number) => {
    const st = fs.lstatSync(p);
    if (st.isSymbolicLink()) return;
    if ((st.mode & 0o077) !== 0) fs.chmodSync(p, st.mode & 0o700);
    if (st.isDirectory() && depth < 8) for (const entry of fs.readdirSync(p)) tighten(path.join(p, entry), depth + 1);
  };
  tighten(dir, 0);
}
