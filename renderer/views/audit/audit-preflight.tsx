// What the audit's dry run found before anything runs: its warnings (changed command line, unknown -P, declared
// environment) and its refusal, shown in the Start form as the CLI prints them before it asks.
import type { ReactNode } from 'react';
import type { ErrorInfo } from '../../../shared/errors';
import { ErrorBox } from '../../components/common';

/** The dry run's outcome for the form as it stands: null while none has answered. */
export interface Preflight {
  warnings: readonly string[];
  error: ErrorInfo | null;
}

/** The dry run's warnings (or why it would not start) under the command; nothing when all is clear. */
export function PreflightNotes({ preflight }: { preflight: Preflight | null }): ReactNode {
  if (!preflight || (preflight.warnings.length === 0 && !preflight.error)) return null;
  return (
    <>
      <label>Before it runs</label>
      <div data-testid="audit-preflight">
        {preflight.error ? <ErrorBox error={preflight.error} title="This audit would not start" /> : null}
        {preflight.warnings.length ? (
          <ul className="preflight-warnings">
            {preflight.warnings.map((w, i) => (
              <li key={i}>{w}</li>
            ))}
          </ul>
        ) : null}
      </div>
    </>
  );
}
