/** The audit detail's results: per-metric statistics by group, the ranked sources of variance, changed data, warnings. */
import type { ReactNode } from 'react';
import type { Audit } from '../../../shared/audit/audit';
import { formatSignificant } from '../../../shared/numbers';
import { KeyValues } from '../../components/common';
import { GroupDistribution, leftOut } from './audit-summary';
import { short } from './audit-numbers';

/** A section per metric: reference, max |Δ|, the groups' distribution and their statistics against the baseline. */
export function MetricSections({ audit }: { audit: Audit }): ReactNode {
  return (
    <>
      {Object.keys(audit.metrics).length ? <h2>Metrics</h2> : null}
      {Object.entries(audit.metrics).map(([name, m]) => {
        return (
          <div key={name} className="section">
            <h3>
              {name}{' '}
              <span className="faint">
                reference {m.reference === null ? '—' : formatSignificant(m.reference)}
                {m.maxAbsDiff !== null ? ` · max |Δ| ${short(m.maxAbsDiff)}` : ''}
                {m.referenceInPi95 !== null
                  ? ` · reference ${m.referenceInPi95 ? 'inside' : 'outside'} the 95 % prediction interval`
                  : ''}
              </span>
            </h3>
            <GroupDistribution audit={audit} metric={name} />
            <table className="grid">
              <thead>
                <tr>
                  <th>group</th>
                  <th>n</th>
                  <th>mean ± sd</th>
                  <th>95 % CI</th>
                  <th>min – max</th>
                  <th>bitwise equal</th>
                  <th>vs baseline (KS p, Welch p)</th>
                </tr>
              </thead>
              <tbody>
                {Object.entries(m.groups).map(([g, s]) => (
                  <tr key={g}>
                    <td>{g}</td>
                    <td>
                      {s.n}
                      {leftOut(audit, g, name)}
                    </td>
                    <td className="mono">
                      {short(s.mean)}
                      {s.sd !== null ? ` ± ${short(s.sd)}` : ''}
                    </td>
                    <td className="mono">{s.ci95 ? `${short(s.ci95[0])} – ${short(s.ci95[1])}` : ''}</td>
                    <td className="mono">
                      {short(s.min)} – {short(s.max)}
                    </td>
                    <td>{s.allBitwiseEqual ? 'yes' : 'no'}</td>
                    <td className="mono">
                      {s.ksVsBaseline ? short(s.ksVsBaseline.pValue) : ''}
                      {s.welchVsBaseline ? `, ${short(s.welchVsBaseline.pValue)}` : ''}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        );
      })}
    </>
  );
}

/** The ranked sources of variance with their evidence (or that none were found, once judged). */
export function SourcesSection({ audit }: { audit: Audit }): ReactNode {
  return (
    <>
      {audit.sources.length ? (
        <>
          <h2>Sources of variance</h2>
          <table className="grid" data-testid="sources">
            <thead>
              <tr>
                <th>#</th>
                <th>category</th>
                <th>factor</th>
                <th>kind</th>
                <th>effect</th>
                <th>evidence</th>
              </tr>
            </thead>
            <tbody>
              {audit.sources.map((s) => (
                <tr key={`${s.rank}-${s.factor}`}>
                  <td>{s.rank}</td>
                  <td>{s.category}</td>
                  <td className="mono">{s.factor}</td>
                  <td>{s.kind}</td>
                  <td>{s.effect}</td>
                  <td>
                    <ul style={{ margin: 0, paddingLeft: 16 }}>
                      {s.evidence.map((e, i) => (
                        <li key={i}>{e}</li>
                      ))}
                    </ul>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : audit.verdict ? (
        <p className="muted">No sources of variance were found.</p>
      ) : null}
    </>
  );
}

/** The data files whose hash differs from the original's. */
export function DataChanged({ audit }: { audit: Audit }): ReactNode {
  return (
    <>
      {audit.dataChecks.some((d) => d.same === false) ? (
        <>
          <h2>Data changed since the original</h2>
          <KeyValues
            rows={audit.dataChecks
              .filter((d) => d.same === false)
              .map((d) => [d.path, `${d.originalHash?.slice(0, 12) ?? '?'} → ${d.currentHash?.slice(0, 12) ?? '?'}`])}
          />
        </>
      ) : null}
    </>
  );
}

/** What the audit warned about while it prepared and ran. */
export function AuditWarnings({ audit }: { audit: Audit }): ReactNode {
  return (
    <>
      {audit.warnings.length ? (
        <>
          <h2>Warnings</h2>
          <ul>
            {audit.warnings.map((w, i) => (
              <li key={i}>{w}</li>
            ))}
          </ul>
        </>
      ) : null}
    </>
  );
}
