/**
 * Stable codes for the errors a person sees, with their parameters. Main sends
 * `{ ok: false, error, code, params }`: `error` is the English text, `code` and
 * `params` let the renderer word it in the person's language.
 */
export const ERROR_CODES = [
  'unknownChannel',
  'invalidRequest',
  'refusedSender',
  'connectionLost',
  'noModel',
  'noModelToFinetune',
  'trainingRunning',
  'tooManySamples',
  'noSuchSample',
  'importInBrowser',
  'digitIndex',
  'busy',
  'evalStopped',
  'tooLarge',
  'tooManyVersions',
  'storeTooLarge',
  'cancelled',
  'trainerFailed',
  'trainerMalformed',
  'trainerOutOfMemory',
  'trainerKilled',
  'trainerExited',
  'trainerSaveFailed',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];
export type ErrorParams = Record<string, string | number>;

/** An Error with a stable code; services throw it where a person will read the message. */
export class CodedError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly params: ErrorParams = {},
  ) {
    super(message);
  }
}

/** An error as it travels in an event: the English text, with its code and parameters where known. */
export interface CodedMessage {
  error: string;
  code?: ErrorCode;
  params?: ErrorParams;
}

/** The code and params of an error, when it has them. */
export function codeOf(err: unknown): { code?: ErrorCode; params?: ErrorParams } {
  return err instanceof CodedError ? { code: err.code, params: err.params } : {};
}

/** The message of anything thrown: an Error's message, or the value as text. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
