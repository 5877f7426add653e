#!/usr/bin/env node
// `protocol-updates`: runs the TypeScript CLI (cli/main.ts, CommonJS like the rest of the
// project) through tsx's CommonJS loader, without a build step.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { require: tsxRequire } = require('tsx/cjs/api');
tsxRequire('../cli/main.ts', import.meta.url);
