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
  /** The Data API session it ran in, when the caller asked for one (SessionKeepAliveSeconds) or named one (SessionId). */
  sessionId?: string;
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

/**
 * A Data API session (AWS, "ExecuteStatement": SessionKeepAliveSeconds, SessionId): one wire
 * session kept open this long after each statement, so later statements see what earlier ones
 * SET or created as TEMP. One statement at a time.
 */
interface DataApiSession {
  id: string;
  where: Where;
  client: Client;
  keepAliveMs: number;
  busy: boolean;
  timer?: NodeJS.Timeout;
}

/** A refusal the server turns into the Data API's error of that type. */
export class Refused extends Error {
  constructor(
    readonly type: 'ValidationException' | 'ResourceNotFoundException' | 'ActiveSessionsExceededException',
    message: string,
  ) {
    super(message);
  }
}

const now = () => Date.now() / 1000;
/** Text for every type: results are handed back exactly as the server printed them. */
const asText = { getTypeParser: () => (value: string) => value };

export class Statements {
  private readonly byId = new Map<string, Statement>();
  private readonly byToken = new Map<string, string>();
  private readonly sessions = new Map<string, DataApiSession>();

  constructor(private readonly wire: WireEndpoint) {}

  /**
   * Runs `sqls` (a batch in one transaction); the same ClientToken returns the statement it
   * started (idempotency). `session`: keep the session open this many seconds afterwards, or run
   * in the session with this id (whose warehouse and login it takes).
   */
  start(
    given: Where | undefined,
    sqls: string[],
    {
      batch,
      clientToken,
      statementName,
      values,
      session: asked,
    }: { batch: boolean; clientToken?: string; statementName?: string; values?: string[]; session?: { keepAliveSeconds: number } | { id: string } },
  ): Statement {
    const earlier = clientToken && this.byToken.get(clientToken);
    if (earlier) return this.byId.get(earlier)!;
    const session = asked && this.session(given, asked);
    const where = session?.where ?? given!;
    if (session) session.busy = true;
    const id = randomUUID();
    const t = now();
    const statement: Statement = {
      ...where,
      id,
      ...(session && { sessionId: session.id }),
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
    void this.run(statement, values, session);
    return statement;
  }

  private session(where: Where | undefined, asked: { keepAliveSeconds: number } | { id: string }): DataApiSession {
    if ('id' in asked) {
      const found = this.sessions.get(asked.id);
      // Wording *assumed*: AWS documents the parameter, not the refusal.
      if (!found) throw new Refused('ValidationException', `Session ${asked.id} is not available: it ended or its keep-alive expired`);
      if (found.busy) throw new Refused('ActiveSessionsExceededException', `Session ${asked.id} is busy running another statement`);
      clearTimeout(found.timer);
      return found;
    }
    const session: DataApiSession = {
      id: randomUUID(),
      where: where!,
      client: this.client(where!),
      keepAliveMs: asked.keepAliveSeconds * 1000,
      busy: false,
    };
    this.sessions.set(session.id, session);
    return session;
  }

  private client(where: Where): Client {
    const client = new Client({
      host: this.wire.host,
      port: this.wire.port,
      database: where.database,
      user: where.dbUser ?? this.wire.defaultUser,
      types: asText,
    });
    client.on('error', () => undefined);
    return client;
  }

  /** After a statement: the session stays open for its keep-alive, then ends. */
  private idle(session: DataApiSession): void {
    session.busy = false;
    session.timer = setTimeout(() => this.endSession(session), session.keepAliveMs);
    session.timer.unref();
  }

  private endSession(session: DataApiSession): void {
    clearTimeout(session.timer);
    this.sessions.delete(session.id);
    void session.client.end().catch(() => undefined);
  }

  /** Ends every session (when the server closes). */
  close(): void {
    for (const session of this.sessions.values()) this.endSession(session);
  }

  /** Every statement, newest first (AWS, "ListStatements": sorted by creation time, *assumed* newest first). */
  list(): Statement[] {
    return [...this.byId.values()].reverse();
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

  private async run(s: Statement, values: string[] | undefined, session: DataApiSession | undefined): Promise<void> {
    const client = session?.client ?? this.client(s);
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
      if (!session || (client as unknown as { processID: number | null }).processID === null) await client.connect();
      s.redshiftPid = (client as unknown as { processID: number | null }).processID ?? undefined;
      if (s.batch) await client.query('BEGIN');
      for (const part of s.parts) {
        current = part;
        this.set(s, 'STARTED', part);
        part.startedAt = Date.now();
        const result = await client.query({ text: part.sql, rowMode: 'array', ...(values && { values }) });
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
      if (!session) await client.end().catch(() => undefined);
      // A failed batch leaves its transaction aborted: end it, so the session can go on.
      else if (s.batch && s.status !== 'FINISHED') await client.query('ROLLBACK').catch(() => undefined);
      if (session) this.idle(session);
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
      ...(s.sessionId && { SessionId: s.sessionId }),
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
