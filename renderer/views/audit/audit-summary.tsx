/** The Audit view's first screen: the verdict, the numbers that decided it, the top sources with their evidence; the detail follows below. */
import type { ReactNode } from 'react';
import type { Audit } from '../../../shared/audit/audit';
import { judgementLines } from '../../../shared/audit/audit-text';
import { nonFiniteText } from '../../../shared/audit/verdict-format';
import { ownValue } from '../../../shared/records';
import { formatSignificant } from '../../../shared/numbers';
import { verdictSentence } from '../../../shared/report/build-report';
import { groupDistributionSpec } from '../../../shared/report/charts';
import { VegaChart } from '../../components/vega-chart';

const n = (v: number | null | undefined): string => (v === null || v === undefined ? '—' : formatSignificant(v));
const range = (v: readonly [number, number] | null | undefined): string => (v ? `${n(v[0])} – ${n(v[1])}` : '—');

/** The NaN and infinite values a group's figures leave out, as " (+1 NaN)" beside its n (the reports write the same). */
export function leftOut(audit: Audit, group: string | null, metric: string): string {
  const g = audit.groups.find((x) => x.name === group);
  const values = (g?.reruns ?? [])
    .filter((r) => r.status === 'finished')
    .map((r) => ownValue(r.metrics, metric))
    .filter((v): v is number => typeof v === 'number');
  const text = nonFiniteText(values);
  return text ? ` (+${text})` : '';
}

/** Sources shown on the first screen; the full table is in the detail below. */
const TOP_SOURCES = 3;

/** The metrics the verdict was judged on (every metric with a reference when the audit does not say). */
function judgedMetrics(audit: Audit): string[] {
  const names = Object.keys(audit.metrics);
  const judged = audit.judgement?.judgedMetrics;
  return judged?.length
    ? names.filter((m) => judged.includes(m))
    : names.filter((m) => audit.metrics[m]!.judged !== false);
}

/** One metric's reruns per group as a Vega-Lite chart (the reports draw the same spec). */
export function GroupDistribution({ audit, metric }: { audit: Audit; metric: string }): ReactNode {
  const m = audit.metrics[metric];
  if (!m) return null;
  const chart = groupDistributionSpec({
    name: metric,
    reference: m.reference,
    tolerance: m.tolerance,
    groups: audit.groups.map((g) => ({
      group: g.name,
      values: g.reruns.map((r) => r.metrics[metric]).filter((v): v is number => typeof v === 'number'),
      pi95: m.groups[g.name]?.pi95 ?? null,
    })),
  });
  if (!chart) return null;
  return (
    <figure className="chart-figure">
      <VegaChart label={`distribution of ${metric}`} spec={chart.spec} />
      <figcaption className="faint">{chart.caption}</figcaption>
    </figure>
  );
}

/** The verdict, the deciding numbers per judged metric, what the verdict rests on, and the top sources. */
export function AuditSummary({ audit }: { audit: Audit }): ReactNode {
  if (!audit.verdict) return null;
  const judged = judgedMetrics(audit);
  const basis = judgementLines(audit).map((l) => l.trim());
  const baseline = audit.groups.find((g) => g.name === 'baseline')?.name ?? audit.groups[0]?.name ?? null;
  return (
    <section className="audit-summary" data-testid="audit-summary">
      <div className={`verdict ${audit.verdict}`} data-testid="verdict">
        {audit.verdict.replace(/-/g, ' ')}
      </div>
      <p data-testid="verdict-sentence">{verdictSentence(audit)}</p>
      {judged.length ? (
        <table className="grid deciding" data-testid="deciding-numbers">
          <thead>
            <tr>
              <th>metric</th>
              <th>reference</th>
              <th>{baseline ?? 'baseline'} reruns</th>
              <th>mean ± sd</th>
              <th title="the interval the verdict uses: where one more rerun would fall with 95 % probability">
                95 % prediction interval
              </th>
              <th>reference inside?</th>
              <th>max |rerun − reference|</th>
              <th>tolerance</th>
            </tr>
          </thead>
          <tbody>
            {judged.map((name) => {
              const m = audit.metrics[name]!;
              const s = baseline ? m.groups[baseline] : undefined;
              return (
                <tr key={name}>
                  <td className="key">{name}</td>
                  <td className="num">{n(m.reference)}</td>
                  <td className="num">
                    {s?.n ?? 0}
                    {leftOut(audit, baseline, name)}
                  </td>
                  <td className="num">
                    {n(s?.mean)}
                    {s?.sd !== null && s?.sd !== undefined ? ` ± ${n(s.sd)}` : ''}
                  </td>
                  <td className="num">{range(s?.pi95)}</td>
                  <td>{m.referenceInPi95 === null ? '—' : m.referenceInPi95 ? 'yes' : 'no'}</td>
                  <td className="num">{n(m.maxAbsDiff)}</td>
                  <td>
                    {m.tolerance
                      ? `±${formatSignificant(m.tolerance.value)}${m.tolerance.kind === 'rel' ? ' %' : ''}${m.withinTolerance === null ? '' : m.withinTolerance ? ' (all within)' : ' (exceeded)'}`
                      : 'none'}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
      {basis.length ? (
        <ul className="basis muted" data-testid="verdict-basis">
          {basis.map((l, i) => (
            <li key={i}>{l}</li>
          ))}
        </ul>
      ) : null}
      {audit.sources.length ? (
        <>
          <h2>Most likely sources of variance</h2>
          <ol className="top-sources" data-testid="top-sources">
            {audit.sources.slice(0, TOP_SOURCES).map((s) => (
              <li key={`${s.rank}-${s.factor}`}>
                <b>{s.factor}</b>{' '}
                <span className="faint">
                  ({s.category}, {s.kind})
                </span>{' '}
                — {s.effect}
                <ul className="muted">
                  {s.evidence.slice(0, 3).map((e, i) => (
                    <li key={i}>{e}</li>
                  ))}
                </ul>
              </li>
            ))}
          </ol>
          {audit.sources.length > TOP_SOURCES ? (
            <p className="faint">{audit.sources.length - TOP_SOURCES} more in the sources table below.</p>
          ) : null}
        </>
      ) : (
        <p className="muted">No sources of variance were found.</p>
      )}
      <h2 className="detail-heading">Detail</h2>
    </section>
  );
}
