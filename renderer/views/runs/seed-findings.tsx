/** The Run view's seed-scan findings: risks first, then notes, then seeds, each with its code line and the call highlighted. */
import type { ReactNode } from 'react';
import type { SeedFinding } from '../../../shared/snapshot/snapshot';
import { Badge } from '../../components/common';

const ORDER: Record<SeedFinding['kind'], number> = { risk: 0, note: 1, seed: 2 };

/** The code line with the name called at the finding's column marked (older snapshots have no column: no mark). */
function CodeLine({ code, column }: { code: string; column: number | undefined }): ReactNode {
  const at = column ? column - 1 : -1;
  const token = at >= 0 && at < code.length ? (/^[\w.]+/.exec(code.slice(at))?.[0] ?? '') : '';
  if (!token)
    return (
      <pre className="mono finding-code">
        <code>{code.trim()}</code>
      </pre>
    );
  const before = code.slice(0, at);
  const indent = before.length - before.trimStart().length;
  return (
    <pre className="mono finding-code">
      <code>
        {before.slice(indent)}
        <mark data-testid="finding-mark">{token}</mark>
        {code.slice(at + token.length)}
      </code>
    </pre>
  );
}

/** The findings table of a run's seed scan. */
export function SeedFindings({ findings, root }: { findings: readonly SeedFinding[]; root: string | null }): ReactNode {
  if (findings.length === 0) return <p className="muted">no findings</p>;
  const sorted = [...findings].sort((a, b) => ORDER[a.kind] - ORDER[b.kind]);
  return (
    <table className="grid" data-testid="seed-findings">
      <thead>
        <tr>
          <th>where</th>
          <th>kind</th>
          <th>rule</th>
          <th>finding</th>
        </tr>
      </thead>
      <tbody>
        {sorted.map((f, i) => (
          <tr key={i} data-kind={f.kind}>
            <td className="mono" title={root ? `${root}/${f.file}:${f.line}` : undefined}>
              {f.file}:{f.line}
              {f.column ? `:${f.column}` : ''}
            </td>
            <td>
              <Badge value={f.kind} />
            </td>
            <td className="mono">{f.rule}</td>
            <td>
              {f.message}
              {f.code ? <CodeLine code={f.code} column={f.column} /> : null}
              {f.fix && f.kind !== 'seed' ? <div className="faint">fix: {f.fix}</div> : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
