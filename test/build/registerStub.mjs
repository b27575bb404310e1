// `node --import ./test/build/registerStub.mjs out/main/index.js` runs the built main process against the stub.
import { register } from 'node:module';

register('./stubLoader.mjs', import.meta.url);
