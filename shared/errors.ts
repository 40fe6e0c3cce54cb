/** Stable error codes: every failure a user can meet has one, so faces can map it (exit code, HTTP status, UI hint). */
export const ERROR_CODES = [
  'INVALID_INPUT',
  'NOT_FOUND',
  'AMBIGUOUS_ID',
  'DATA_PATH_MISSING',
  'FILE_UNREADABLE',
  'COMMAND_NOT_FOUND',
  'METRICS_INVALID',
  'STORE_UNREADABLE',
  'STORE_TOO_NEW',
  'STORE_CORRUPT',
  'PROJECT_INVALID',
  'ENVIRONMENT_UNAVAILABLE',
  'IMPORT_FAILED',
  'REPORT_FAILED',
  'CANCELLED',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'INTERNAL',
] as const;

/** One of the stable error codes. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** The plain-data form of an error that crosses IPC, HTTP and the CLI. */
export interface ErrorInfo {
  code: ErrorCode;
  message: string;
  hint?: string;
}

/** An error with a stable code, a message naming the thing, and a hint saying what to do. */
export class ReproError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, hint?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ReproError';
    this.code = code;
    this.hint = hint;
  }

  /** The serialisable form of this error. */
  toInfo(): ErrorInfo {
    return this.hint === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, hint: this.hint };
  }
}

/** An operation's result: a value, or an error with a code. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

/** Wraps a value as a successful result. */
export const ok = <T>(value: T): Result<T> => ({ ok: true, value });

/** Wraps error information as a failed result. */
export const err = <T = never>(error: ErrorInfo): Result<T> => ({ ok: false, error });

/** Turns anything thrown into ErrorInfo; unknown errors become INTERNAL with their message kept. */
export function toErrorInfo(e: unknown): ErrorInfo {
  if (e instanceof ReproError) return e.toInfo();
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'INTERNAL', message, hint: 'This is a bug in reproscope; please report it with the command you ran.' };
}

/** Formats an error for a person: message, then the hint on its own line. */
export function formatError(error: ErrorInfo): string {
  return error.hint ? `${error.message}\n  → ${error.hint}` : error.message;
}
