import { randomUUID } from 'node:crypto';
import { Client, type FieldDef } from 'pg';

// The statements the Data API runs (AWS, Redshift Data API reference: ExecuteStatement,
// BatchExecuteStatement, DescribeStatement, CancelStatement, GetStatementResult). Each runs
// asynchronously in a session of its own, opened on redshift-local's wire port, so UNLOAD and
// every other emulated behaviour apply as they do for a client. Kept in memory: Redshift keeps
// them 24 hours (AWS, "Considerations when calling the Amazon Redshift Data API"); here, for
// the life of the process (*assumed* enough for a local stand-in).

export type Status = 'SUBMITTED' | 'PICKED' | 'STARTED' | 'FINISHED' | 'ABORTED' | 'FAILED';

export interface Where {
  database: string;
  clusterIdentifier?: string;
  workgroupName?: string;
  dbUser?: string;
  secretArn?: string;
}

interface SubStatement {
  id: string;
  sql: string;
  status: Status;
  createdAt: number;
  updatedAt: number;
  startedAt?: number;
  durationNs: number;
  error?: string;
  resultRows: number;
  resultSize: number;
  fields?: FieldDef[];
  rows?: (string | null)[][];
}

export interface Statement extends Where {
  id: string;
  statementName?: string;
  clientToken?: string;
  /** One for ExecuteStatement; BatchExecuteStatement's, in order (ids `<id>:1`, `<id>:2` …). */
  parts: SubStatement[];
  batch: boolean;
  status: Status;
  createdAt: number;
  updatedAt: number;
  error?: string;
  redshiftPid?: number;
  cancel?: () => Promise<void>;
}

/** Where the statements' sessions connect: redshift-local's own wire port. */
export interface WireEndpoint {
  host: string;
  port: number;
  /** The login when the caller gives SecretArn, which redshift-local cannot read (*assumed*: the backing PostgreSQL's user). */
  defaultUser: string;
}

const now = () => Date.now() / 1000;
/** Text for every type: results are handed back exactly as the server printed them. */
const asText = { getTypeParser: () => (value: string) => value };

export class Statements {
  private readonly byId = new Map<string, Statement>();
  private readonly byToken = new Map<string, string>();

  constructor(private readonly wire: WireEndpoint) {}

  /** Runs `sqls` (a batch in one transaction); the same ClientToken returns the statement it started (idempotency). */
  start(where: Where, sqls: string[], { batch, clientToken, statementName }: { batch: boolean; clientToken?: string; statementName?: string }): Statement {
    const earlier = clientToken && this.byToken.get(clientToken);
    if (earlier) return this.byId.get(earlier)!;
    const id = randomUUID();
    const t = now();
    const statement: Statement = {
      ...where,
      id,
      statementName,
      clientToken,
      batch,
      status: 'SUBMITTED',
      createdAt: t,
      updatedAt: t,
      parts: sqls.map((sql, i) => ({
        id: batch ? `${id}:${i + 1}` : id,
        sql,
        status: 'SUBMITTED',
        createdAt: t,
        updatedAt: t,
        durationNs: 0,
        resultRows: -1,
        resultSize: -1,
      })),
    };
    this.byId.set(id, statement);
    if (clientToken) this.byToken.set(clientToken, id);
    void this.run(statement);
    return statement;
  }

  /** A statement, or a batch's sub-statement by its `<id>:<n>`. */
  find(id: string): { statement: Statement; part?: SubStatement } | undefined {
    const [base, n] = id.split(':');
    const statement = this.byId.get(base);
    if (!statement) return undefined;
    if (n === undefined) return { statement };
    const part = statement.parts[Number(n) - 1];
    return part && { statement, part };
  }

  private set(s: Statement, status: Status, part?: SubStatement): void {
    const t = now();
    s.updatedAt = t;
    s.status = status;
    if (part) {
      part.status = status;
      part.updatedAt = t;
    }
  }

  private async run(s: Statement): Promise<void> {
    const client = new Client({
      host: this.wire.host,
      port: this.wire.port,
      database: s.database,
      user: s.dbUser ?? this.wire.defaultUser,
      types: asText,
    });
    client.on('error', () => undefined);
    let cancelled = false;
    // The session's BackendKeyData names the backend behind redshift-local's proxy: cancelling
    // that backend stops the statement, an UNLOAD's COPY included.
    s.cancel = async () => {
      cancelled = true;
      const pid = (client as unknown as { processID: number | null }).processID;
      if (pid === null) return;
      const canceller = new Client({ host: this.wire.host, port: this.wire.port, database: s.database, user: s.dbUser ?? this.wire.defaultUser });
      canceller.on('error', () => undefined);
      try {
        await canceller.connect();
        await canceller.query('SELECT pg_cancel_backend($1)', [pid]);
      } finally {
        await canceller.end().catch(() => undefined);
      }
    };
    this.set(s, 'PICKED');
    let current: SubStatement | undefined;
    try {
      await client.connect();
      s.redshiftPid = (client as unknown as { processID: number | null }).processID ?? undefined;
      if (s.batch) await client.query('BEGIN');
      for (const part of s.parts) {
        current = part;
        this.set(s, 'STARTED', part);
        part.startedAt = Date.now();
        const result = await client.query({ text: part.sql, rowMode: 'array' });
        part.durationNs = (Date.now() - part.startedAt) * 1e6;
        part.fields = result.fields.length > 0 ? result.fields : undefined;
        part.rows = part.fields ? (result.rows as (string | null)[][]) : undefined;
        part.resultRows = part.fields ? result.rows.length : (result.rowCount ?? 0);
        part.resultSize = part.rows ? part.rows.reduce((n, r) => n + r.reduce((m, v) => m + (v?.length ?? 0), 0), 0) : 0;
        this.set(s, 'FINISHED', part);
      }
      if (s.batch) await client.query('COMMIT');
      this.set(s, 'FINISHED');
    } catch (err) {
      const status = cancelled ? 'ABORTED' : 'FAILED';
      s.error = (err as Error).message;
      if (current) {
        current.error = s.error;
        current.durationNs = current.startedAt ? (Date.now() - current.startedAt) * 1e6 : 0;
      }
      // A batch runs as one transaction: its other statements fail with it (*assumed* statuses).
      for (const part of s.parts) if (part.status !== 'FINISHED' || s.batch) this.set(s, part === current ? status : 'ABORTED', part);
      this.set(s, status);
    } finally {
      s.cancel = undefined;
      await client.end().catch(() => undefined);
    }
  }

  describe(s: Statement, part?: SubStatement) {
    const one = part ?? (s.batch ? undefined : s.parts[0]);
    const durationNs = s.parts.reduce((n, p) => n + p.durationNs, 0);
    return {
      Id: part?.id ?? s.id,
      Status: one?.status ?? s.status,
      CreatedAt: one?.createdAt ?? s.createdAt,
      UpdatedAt: one?.updatedAt ?? s.updatedAt,
      Database: s.database,
      ...(s.clusterIdentifier && { ClusterIdentifier: s.clusterIdentifier }),
      ...(s.workgroupName && { WorkgroupName: s.workgroupName }),
      ...(s.dbUser && { DbUser: s.dbUser }),
      ...(s.secretArn && { SecretArn: s.secretArn }),
      Duration: one?.durationNs ?? durationNs,
      ...((one?.error ?? s.error) && { Error: one?.error ?? s.error }),
      HasResultSet: one ? one.fields !== undefined : false,
      ...(one && { QueryString: one.sql }),
      RedshiftPid: s.redshiftPid ?? 0,
      ResultRows: one?.resultRows ?? -1,
      ResultSize: one?.resultSize ?? -1,
      ...(s.batch &&
        !part && {
          SubStatements: s.parts.map((p) => ({
            Id: p.id,
            Status: p.status,
            CreatedAt: p.createdAt,
            UpdatedAt: p.updatedAt,
            Duration: p.durationNs,
            QueryString: p.sql,
            HasResultSet: p.fields !== undefined,
            ResultRows: p.resultRows,
            ResultSize: p.resultSize,
            ...(p.error && { Error: p.error }),
          })),
        }),
    };
  }
}
