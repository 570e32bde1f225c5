import fs from 'node:fs';
import path from 'node:path';
import { Router } from 'express';
import { PROJECT_ROOT } from '../infra/paths';

/**
 * Serves the web console from the API server: index.html, style.css and console/app.ts bundled by esbuild once
 * (in memory, no CDN, nothing fetched from outside).
 */
const DIR = path.join(PROJECT_ROOT, 'console');

let bundle: string | undefined;
function appBundle(): string {
  if (!bundle) {
    const esbuild = require('esbuild') as typeof import('esbuild');
    const out = esbuild.buildSync({
      entryPoints: [path.join(DIR, 'app.ts')],
      bundle: true,
      write: false,
      format: 'iife',
      target: 'es2020',
      minify: true,
      sourcemap: false,
      logLevel: 'silent',
    });
    bundle = out.outputFiles[0].text;
  }
  return bundle;
}

export function consoleRouter(): Router {
  const r = Router();
  const send = (file: string, type: string) => (_req: unknown, res: import('express').Response) => {
    res
      .type(type)
      .set('cache-control', 'no-cache')
      .send(fs.readFileSync(path.join(DIR, file)));
  };
  r.get('/', send('index.html', 'html'));
  r.get('/console/style.css', send('style.css', 'css'));
  r.get('/console/app.js', (_req, res) => {
    res.type('js').set('cache-control', 'no-cache').send(appBundle());
  });
  return r;
}
