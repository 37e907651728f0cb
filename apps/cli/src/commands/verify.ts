import { describeReport } from '@ferry/activities';
import type { VerifyReport } from '@ferry/contract';
import { selectTables } from '@ferry/pipeline';
import { readPipelineFile } from '@ferry/pipeline/file';
import { ferrySearchAttributes } from '@ferry/workflows';
import { configFor, expandForPreview } from '../pipeline-config';
import { uiLink, withTemporal, type TemporalOptions } from '../temporal';

export interface VerifyOptions {
  table?: string[];
  key?: string[];
}

/**
 * `ferry verify <file>`: a tableVerify workflow per table (discovery entries expanded), each
 * comparing the target with its source value by value; prints each report and exits 1 when
 * any table differs.
 */
export async function verify(file: string, o: VerifyOptions, temporal: TemporalOptions): Promise<number> {
  const resolved = readPipelineFile(file);
  const { pipeline, unreachable } = await expandForPreview(resolved, configFor(resolved));
  if (unreachable)
    throw new Error(`cannot read the source catalog to find the tables of ${pipeline.discoveries.map((d) => d.name).join(', ')}: ${unreachable}`);
  const tables = (o.table?.length ? selectTables(pipeline, o.table) : pipeline).tables;
  return withTemporal(temporal, async (client, settings) => {
    let differ = 0;
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, 'Z');
    for (const table of tables) {
      const { source, target } = table.transfer;
      const handle = await client.workflow.start('tableVerify', {
        taskQueue: settings.taskQueue,
        workflowId: `verify-${pipeline.name}:${table.name}-${stamp}`,
        args: [{ source, target: { connection: target.connection, table: target.table }, ...(o.key?.length && { key: o.key }) }],
        staticSummary: `verify ${target.table} against ${source.table ?? 'query'}`,
        typedSearchAttributes: ferrySearchAttributes({ table: target.table, pipeline: pipeline.name }),
      });
      const report = (await handle.result()) as VerifyReport;
      if (!report.equal) differ++;
      for (const line of describeReport(report)) console.log(line);
      console.log(`  (${report.queries} queries; ${uiLink(settings, handle.workflowId)})`);
    }
    console.log(differ === 0 ? `all ${tables.length} table(s) equal` : `${differ} of ${tables.length} table(s) differ`);
    return differ === 0 ? 0 : 1;
  });
}
