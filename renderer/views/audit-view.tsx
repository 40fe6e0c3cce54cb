import type { ReactNode } from 'react';

/** placeholder until its operations exist */
export function AuditView({ id }: { id: string | null }): ReactNode {
  return <div className="view"><h1>AuditView</h1></div>;
}
