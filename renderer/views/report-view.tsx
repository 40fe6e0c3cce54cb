import type { ReactNode } from 'react';

/** placeholder until its operations exist */
export function ReportView({ kind, a, b }: { kind: 'audit' | 'compare' | null; a: string | null; b: string | null }): ReactNode {
  return <div className="view"><h1>ReportView</h1></div>;
}
