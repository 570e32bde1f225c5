import fs from 'node:fs';
import path from 'node:path';

/** What the platform keeps in its data directory (only these are tightened: DATA_DIR may be shared). */
const OWN_ENTRIES = [
  'temporal.sqlite',
  'temporal.sqlite-wal',
  'temporal.sqlite-shm',
  'pglite',
  'mail',
  'payload-keys',
  'actor-keys',
  'admin-token',
  'console-users.txt',
];

/**
 * The data directory holds the embedded Temporal's SQLite, the PGlite database, the mail files and the generated
 * keys and tokens: owner-only. The process umask (inherited by the Temporal dev server it starts) makes every new
 * file 0600 and directory 0700; what an older version left readable is tightened once at start.
 */
export function secureDataDir(dir: string): void {
  process.umask(0o077);
  const existed = fs.existsSync(dir);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tighten = (p: string, depth: number) => {
    const st = fs.lstatSync(p);
    if (st.isSymbolicLink()) return;
    if ((st.mode & 0o077) !== 0) fs.chmodSync(p, st.mode & 0o700);
    if (st.isDirectory() && depth < 8) for (const entry of fs.readdirSync(p)) tighten(path.join(p, entry), depth + 1);
  };
  // A directory shared with others (sticky, like /tmp) keeps its mode; the platform's own entries are tightened.
  const st = fs.statSync(dir);
  if (!existed || !(st.mode & 0o1000)) {
    if ((st.mode & 0o077) !== 0) fs.chmodSync(dir, st.mode & 0o700);
  }
  for (const entry of OWN_ENTRIES) if (fs.existsSync(path.join(dir, entry))) tighten(path.join(dir, entry), 1);
}
