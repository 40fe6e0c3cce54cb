import type { ReactNode } from 'react';

/** placeholder until its operations exist */
export function CompareView({ a, b }: { a: string | null; b: string | null }): ReactNode {
  return <div className="view"><h1>CompareView</h1></div>;
}
