/**
 * V8 flags for the trainer process, used by both ways of starting it (forkTrainer here,
 * utilityTrainer in the desktop app). A young generation of 1 MB instead of V8's default
 * (up to 16 MB per semi-space) keeps short-lived garbage from holding resident memory: the
 * trainer's peak over a tutorial epoch went from 204 to 166 MiB (`npm run bench`, trainer peak RSS).
 */
export const TRAINER_EXEC_ARGV: readonly string[] = ['--max-semi-space-size=1'];
