#!/usr/bin/env node
// Before `npm run worker` / `npm run api`: they run the compiled output of `npm run build`; say so instead of
// letting node print a stack trace for a missing file.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const file = path.join(__dirname, '..', process.argv[2]);
if (!fs.existsSync(file)) {
  process.stderr.write(
    `尚未构建：${process.argv[2]} 不存在，请先运行 npm run build（not built yet: run npm run build）\n`,
  );
  process.exit(1);
}
