import { ApplicationFailure, proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import { FailureType, type FerryActivities, type VerifyReport } from '@ferry/contract';
import { parseTableVerifyInput, type TableVerifyInput } from '@ferry/pipeline';
import { surfaceCause } from './failures';

const { verifyTable } = proxyActivities<FerryActivities>({
  startToCloseTimeout: '24h',
  heartbeatTimeout: '30s',
  retry: { initialInterval: '2s', maximumAttempts: 5 },
});

/**
 * Compares a PostgreSQL table with its Redshift source, value by value (segment checksums
 * bisected down to rows), and returns the report: equal, or the missing, extra and changed
 * keys with their columns. A difference is a finding, not a failure: the run completes.
 */
export async function tableVerify(raw: TableVerifyInput): Promise<VerifyReport> {
  const parsed = parseTableVerifyInput(raw);
  if (!parsed.ok) throw ApplicationFailure.nonRetryable(parsed.message, FailureType.invalidInput);
  const input = parsed.value;
  setCurrentDetails(`comparing ${input.target.table} with ${input.source.table ?? 'its source query'}`);
  try {
    const report = await verifyTable.executeWithOptions({ summary: `verify ${input.target.table} against ${input.source.table ?? 'query'}` }, [input]);
    const found = report.missing.length + report.extra.length + report.changed.length;
    setCurrentDetails(
      report.equal
        ? `equal: ${report.rows.target} rows, ${report.compared.length} columns compared${report.leftOut.length ? `, ${report.leftOut.length} left out` : ''}`
        : `DIFFERENT: ${report.rows.source} source rows, ${report.rows.target} target rows; ${found}${report.truncated ? '+' : ''} differing key(s)`,
    );
    return report;
  } catch (err) {
    throw surfaceCause(err);
  }
}
