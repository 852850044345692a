// node --import this file: resolves `electron` to fake-electron.mjs (for running dist/main.js under Node).
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
