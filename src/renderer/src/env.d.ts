import type { Bridge } from '$shared/bridge';

declare global {
  interface Window {
    /** The preload's bridge in the desktop app; absent in web mode. */
    rnnLens?: Bridge;
  }
}
