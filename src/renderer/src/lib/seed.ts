/** The seed a version was trained with, read from its manifest's command (`train:start {…"seed":N…}` or `--seed N`); null when it names none. */
export function seedOf(command: string): number | null {
  const m = /"seed":(\d+)|--seed[ =](\d+)/.exec(command);
  return m ? Number(m[1] ?? m[2]) : null;
}
