import { postgresConnection, redshiftConnection } from '@ferry/config';
import { comparable, compareSides, databaseSide, postgresSide, redshiftSide, type VerifiedColumn } from '@ferry/checksum';
import { displayName, quoteQualified } from '@ferry/sql';
import type { ActivityDeps } from '../deps';
import { unusableVerifyKey, verifyTargetMissing } from '../failure-messages/verify';
import { whileHeartbeating } from '../heartbeat';
import { describeSource, sourceRelation } from '../source-columns';
import { useSource } from '../source-session';
import { describeTarget, primaryKeyOf } from '@ferry/postgres';
import { parseName } from '../target-locations';
import type { VerifyReport, VerifyTableInput } from '@ferry/contract';

/**
 * Compares a target table with its source as they are now, value by value — also for tables
 * ferry did not load. Columns are matched by name; those only one side has are ignored.
 */
export async function verifyTable(deps: Pick<ActivityDeps, 'config' | 'sessions'>, input: VerifyTableInput): Promise<VerifyReport> {
  const source = sourceRelation(input);
  const table = parseName(input.target.table, 'target.table');
  const targetConn = postgresConnection(deps.config, input.target.connection);
  const started = Date.now();
  return whileHeartbeating(
    (signal) =>
      useSource(
        deps.sessions,
        redshiftConnection(deps.config, input.source.connection),
        'ferry verify',
        (reader, src) =>
          deps.sessions.use(
            targetConn,
            'ferry verify',
            async (dst) => {
              const sourceColumns = await describeSource(reader, source, input.source.connection);
              const targetColumns = await describeTarget(dst, table);
              if (!targetColumns) throw verifyTargetMissing(table, input.target.connection);
              const inTarget = new Set(targetColumns.map((c) => c.name));
              const columns: VerifiedColumn[] = sourceColumns.filter((c) => inTarget.has(c.name));
              const primaryKey = await primaryKeyOf(dst, table);
              // The target's primary key only when all of it is compared: a part of a key repeats.
              const key = input.key ?? (primaryKey.every((k) => comparable(columns).compared.some((c) => c.name === k)) ? primaryKey : []);
              const unusable = key.filter((k) => !comparable(columns).compared.some((c) => c.name === k));
              if (unusable.length > 0) throw unusableVerifyKey(unusable, source.label, table);
              const comparison = await compareSides(
                await databaseSide(src, redshiftSide(source.from, undefined, columns, key)),
                await databaseSide(dst, postgresSide(quoteQualified(table), columns, key)),
                {
                  maxDifferences: input.maxDifferences ?? 20,
                  leafRows: 200,
                },
              );
              const { compared, leftOut } = comparable(columns);
              return { ...comparison, source: source.label, target: displayName(table), key, compared: compared.map((c) => c.name), leftOut };
            },
            signal,
          ),
        { signal },
      ),
    () => ({ phase: 'verifying', elapsedMs: Date.now() - started }),
  );
}
