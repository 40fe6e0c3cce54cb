/** How the audit detail prints a statistic: six significant digits, and NaN or infinities as the metric text does. */
import { formatMetricValue } from '../../../shared/snapshot/snapshot-text';

/** A statistic in six significant digits ('' for none); non-finite values as formatMetricValue writes them. */
export const short = (v: number | null | undefined): string =>
  v === null || v === undefined ? '' : Number.isFinite(v) ? Number(v.toPrecision(6)).toString() : formatMetricValue(v);
