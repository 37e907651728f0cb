import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { columnMetadata, field } from './fields';
import { bindParameters } from './parameters';
import { Refused, Statements, type WireEndpoint, type Where } from './statements';

// The Redshift Data API (AWS, "Amazon Redshift Data API Reference") over HTTP, as the AWS SDK
// speaks it: POST / with `X-Amz-Target: RedshiftData.<Action>` and a JSON body (the awsJson1_1
// protocol), answered with JSON; errors as HTTP 400 with `__type` and `message`. Requests are
// signed with SigV4 by the SDK; redshift-local does not check signatures (*assumed* fine for a
// local stand-in: IAM is exercised against AWS, not here).

/** GetStatementResult pages: AWS pages at 100 MB of results; here at this many records (*assumed*, so paging is exercised). */
const PAGE_RECORDS = 1000;

class ApiError extends Refused {}

type Body = Record<string, unknown>;

function where(body: Body): Where {
  if (typeof body.Database !== 'string') throw new ApiError('ValidationException', 'Database is required');
  if (body.ClusterIdentifier === undefined && body.WorkgroupName === undefined) {
    throw new ApiError('ValidationException', 'Either ClusterIdentifier or WorkgroupName is required');
  }
  if (body.DbUser !== undefined && body.SecretArn !== undefined) throw new ApiError('ValidationException', 'Specify DbUser or SecretArn, not both');
  return {
    database: body.Database,
    ...(typeof body.ClusterIdentifier === 'string' && { clusterIdentifier: body.ClusterIdentifier }),
    ...(typeof body.WorkgroupName === 'string' && { workgroupName: body.WorkgroupName }),
    ...(typeof body.DbUser === 'string' && { dbUser: body.DbUser }),
    ...(typeof body.SecretArn === 'string' && { secretArn: body.SecretArn }),
  };
}

/**
 * SessionKeepAliveSeconds opens a session (0 to 86,400 seconds: AWS, "ExecuteStatement");
 * SessionId runs in one, whose warehouse and login it keeps (the request's own are ignored:
 * *assumed*).
 */
function sessionOf(body: Body): { keepAliveSeconds: number } | { id: string } | undefined {
  if (typeof body.SessionId === 'string') return { id: body.SessionId };
  if (body.SessionKeepAliveSeconds === undefined) return undefined;
  const seconds = body.SessionKeepAliveSeconds;
  if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 0 || seconds > 86_400) {
    throw new ApiError('ValidationException', 'SessionKeepAliveSeconds must be between 0 and 86400');
  }
  return seconds > 0 ? { keepAliveSeconds: seconds } : undefined;
}

function found(statements: Statements, body: Body) {
  if (typeof body.Id !== 'string') throw new ApiError('ValidationException', 'Id is required');
  const hit = statements.find(body.Id);
  if (!hit) throw new ApiError('ResourceNotFoundException', `Query does not exist: ${body.Id}`);
  return hit;
}

function started(statements: Statements, body: Body, sqls: string[], batch: boolean) {
  const bound = body.Parameters === undefined ? undefined : bindParameters(sqls[0], body.Parameters);
  if (bound && batch) throw new ApiError('ValidationException', 'BatchExecuteStatement takes no Parameters');
  const session = sessionOf(body);
  const s = statements.start(session && 'id' in session ? undefined : where(body), bound ? [bound.sql] : sqls, {
    batch,
    ...(bound && { values: bound.values }),
    ...(session && { session }),
    ...(typeof body.ClientToken === 'string' && { clientToken: body.ClientToken }),
    ...(typeof body.StatementName === 'string' && { statementName: body.StatementName }),
  });
  return {
    Id: s.id,
    ...(s.sessionId && { SessionId: s.sessionId }),
    CreatedAt: s.createdAt,
    Database: s.database,
    ...(s.clusterIdentifier && { ClusterIdentifier: s.clusterIdentifier }),
    ...(s.workgroupName && { WorkgroupName: s.workgroupName }),
    ...(s.dbUser && { DbUser: s.dbUser }),
    ...(s.secretArn && { SecretArn: s.secretArn }),
  };
}

function actions(statements: Statements): Record<string, (body: Body) => Promise<unknown> | unknown> {
  return {
    ExecuteStatement: (body) => {
      if (typeof body.Sql !== 'string') throw new ApiError('ValidationException', 'Sql is required');
      return started(statements, body, [body.Sql], false);
    },
    BatchExecuteStatement: (body) => {
      const sqls = body.Sqls;
      if (!Array.isArray(sqls) || sqls.length === 0 || sqls.some((s) => typeof s !== 'string')) throw new ApiError('ValidationException', 'Sqls is required');
      return started(statements, body, sqls as string[], true);
    },
    DescribeStatement: (body) => {
      const { statement, part } = found(statements, body);
      return statements.describe(statement, part);
    },
    CancelStatement: async (body) => {
      const { statement } = found(statements, body);
      if (!['SUBMITTED', 'PICKED', 'STARTED'].includes(statement.status)) {
        throw new ApiError('ValidationException', `Could not cancel a query that is already in ${statement.status} state with ID: ${statement.id}`);
      }
      await statement.cancel?.();
      return { Status: true };
    },
    ListStatements: (body) => {
      const status = typeof body.Status === 'string' ? body.Status : 'FINISHED';
      const prefix = typeof body.StatementName === 'string' ? body.StatementName : '';
      const max = typeof body.MaxResults === 'number' && body.MaxResults > 0 ? Math.min(body.MaxResults, 100) : 100;
      const all = statements.list().filter((s) => (s.statementName ?? '').startsWith(prefix) && (status === 'ALL' || s.status === status));
      const from = typeof body.NextToken === 'string' ? Number(body.NextToken) : 0;
      return {
        Statements: all.slice(from, from + max).map((s) => ({
          Id: s.id,
          Status: s.status,
          ...(s.statementName && { StatementName: s.statementName }),
          CreatedAt: s.createdAt,
          UpdatedAt: s.updatedAt,
          IsBatchStatement: s.batch,
          ...(s.batch ? { QueryStrings: s.parts.map((p) => p.sql) } : { QueryString: s.parts[0].sql }),
          ...(s.sessionId && { SessionId: s.sessionId }),
        })),
        ...(from + max < all.length && { NextToken: String(from + max) }),
      };
    },
    GetStatementResult: (body) => {
      const { statement, part } = found(statements, body);
      const one = part ?? (statement.batch ? undefined : statement.parts[0]);
      if (!one || one.status !== 'FINISHED') throw new ApiError('ValidationException', `Query has not finished: ${body.Id}`);
      if (!one.fields || !one.rows) throw new ApiError('ValidationException', `Query does not have result: ${body.Id}`);
      const from = typeof body.NextToken === 'string' ? Number(body.NextToken) : 0;
      const page = one.rows.slice(from, from + PAGE_RECORDS);
      const fields = one.fields;
      return {
        ColumnMetadata: columnMetadata(fields),
        Records: page.map((row) => row.map((value, i) => field(value, fields[i].dataTypeID))),
        TotalNumRows: one.rows.length,
        ...(from + PAGE_RECORDS < one.rows.length && { NextToken: String(from + PAGE_RECORDS) }),
      };
    },
  };
}

async function readBody(req: IncomingMessage): Promise<Body> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as Body) : {};
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
  res.end(JSON.stringify(body));
}

/** Starts the Data API endpoint; its statements run on redshift-local's wire port `wire`. */
export async function startDataApi(options: { host: string; port: number; wire: WireEndpoint }): Promise<{ port: number; close(): Promise<void> }> {
  const statements = new Statements(options.wire);
  const handlers = actions(statements);
  const server: Server = createServer((req, res) => {
    void (async () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const action = target.startsWith('RedshiftData.') ? handlers[target.slice('RedshiftData.'.length)] : undefined;
      try {
        if (req.method !== 'POST' || !action) throw new ApiError('ValidationException', `unknown action ${JSON.stringify(target)}`);
        reply(res, 200, await action(await readBody(req)));
      } catch (err) {
        const type = err instanceof Refused ? err.type : 'ValidationException';
        reply(res, 400, { __type: type, message: (err as Error).message });
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        statements.close();
        server.close(() => resolve());
      }),
  };
}
