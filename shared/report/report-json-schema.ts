// The JSON Schema of the JSON report, generated from ReportJsonSchema.
import { z } from 'zod';
import { ReportJsonSchema, REPORT_SCHEMA_VERSION } from './report-model';

/** The JSON Schema (draft 2020-12) of the JSON report, generated from `ReportJsonSchema`; docs/report.schema.json is this, committed. */
export function reportJsonSchemaDocument(): Record<string, unknown> {
  const schema = z.toJSONSchema(ReportJsonSchema, { target: 'draft-2020-12', io: 'output' }) as Record<string, unknown>;
  return {
    ...schema,
    $id: `https://reproscope.invalid/report.schema.v${REPORT_SCHEMA_VERSION}.json`,
    title: 'reproscope report',
    description: `A reproscope audit or comparison report, format ${REPORT_SCHEMA_VERSION}. Generated from shared/report/report-model.ts by scripts/report-schema.mjs; documented in docs/report-schema.md.`,
  };
}

/** The committed text of docs/report.schema.json. */
export function reportJsonSchemaText(): string {
  return `${JSON.stringify(reportJsonSchemaDocument(), null, 2)}\n`;
}
