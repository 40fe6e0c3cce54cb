import type { ReactNode } from 'react';

/** placeholder until its operations exist */
export function ImportView(_props: Record<string, never>): ReactNode {
  return <div className="view"><h1>ImportView</h1></div>;
}
