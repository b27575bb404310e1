/** Commands that keyboard shortcuts and the tour send to whichever component handles them. */
export type Command = 'clear' | 'undo' | 'sample';

const handlers = new Map<Command, () => void>();

export const commands = {
  /** Register the handler for a command; returns the function that removes it. */
  on(cmd: Command, fn: () => void): () => void {
    handlers.set(cmd, fn);
    return () => {
      if (handlers.get(cmd) === fn) handlers.delete(cmd);
    };
  },
  run(cmd: Command): void {
    handlers.get(cmd)?.();
  },
};
