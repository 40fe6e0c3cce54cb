// Bounds on what a tracking server can make an import do: the size of each answer and how its pages may go on.
import type { ReadableStreamReadResult } from 'node:stream/web';
import { ReproError } from '../../../shared/errors';

/** The largest answer read from a server (MLflow's pages of 1000 runs or 25000 points are a few MB). */
export const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
/** The most pages one listing may take before the import stops (a server that never ends its pages). */
const MAX_PAGES = 100_000;

/** Reads a body as text, chunk by chunk, refusing it past `maxBytes` (an endless body never fills memory). */
export async function readCapped(response: Response, maxBytes: number): Promise<string | null> {
  if (!response.body) return '';
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body.cancel().catch(() => undefined);
    return null;
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const next: ReadableStreamReadResult<unknown> = await reader.read();
    if (next.done) break;
    const value = next.value;
    // fetch's bodies are bytes; anything else is a broken stream, not an answer
    if (!(value instanceof Uint8Array)) throw new ReproError('IMPORT_FAILED', 'the server answer is not a byte stream');
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total).toString('utf8');
}

/** Follows a listing's next_page_token, refusing a token the server already gave (it would loop forever) or endless pages. */
export class PageTokens {
  private readonly seen = new Set<string>();
  private pages = 0;

  constructor(
    private readonly display: string,
    private readonly endpoint: string,
  ) {}

  /** The token to ask for next, or undefined when the listing is complete. */
  next(token: string | undefined): string | undefined {
    if (!token) return undefined;
    if (this.seen.has(token) || ++this.pages > MAX_PAGES) {
      throw new ReproError(
        'IMPORT_FAILED',
        this.seen.has(token)
          ? `the MLflow tracking server ${this.display} gave the same next_page_token twice for ${this.endpoint}; it would page forever, so nothing was imported`
          : `the MLflow tracking server ${this.display} gave more than ${MAX_PAGES} pages for ${this.endpoint}; nothing was imported`,
        "Check the server's version and log: MLflow's tokens move forward and end.",
      );
    }
    this.seen.add(token);
    return token;
  }
}
