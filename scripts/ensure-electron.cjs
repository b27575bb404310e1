// Make sure the Electron binary is present before `npm start`. The electron npm
// package downloads it on first use rather than at install time; electron-vite
// only looks for it, so this step triggers the download.
try {
  const path = require('electron');
  if (typeof path !== 'string' || !require('node:fs').existsSync(path)) throw new Error(`no Electron binary at ${path}`);
} catch (err) {
  console.error(`RNN Lens: the Electron binary is not available and could not be downloaded (${err.message.split('\n')[0]}).`);
  console.error('Check your network connection and run `npm start` again, or use `npm run web` to run the same app in your browser.');
  process.exit(1);
}
