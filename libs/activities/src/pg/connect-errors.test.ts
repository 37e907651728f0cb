import type { Named } from '@ferry/config';
import { describeConnectError } from './connect-errors';

const rds: Named = {
  kind: 'postgres',
  name: 'app',
  host: 'app.cluster-xyz.eu-west-1.rds.amazonaws.com',
  database: 'app',
  user: 'ferry',
  iamAuth: true,
  sslmode: 'verify-full',
  stagingSchema: 's',
  maxConcurrentLoads: 1,
  loadMethod: 'copy',
};
const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('describeConnectError', () => {
  it('a refused IAM token says what RDS needs (rds_iam, rds-db:connect) and quotes no token', () => {
    const token = 'app.cluster-xyz.eu-west-1.rds.amazonaws.com:5432/?Action=connect&DBUser=ferry&X-Amz-Security-Token=SECRET-SESSION&X-Amz-Signature=abc';
    const err = describeConnectError(pgError('28000', 'PAM authentication failed for user "ferry"'), rds) as Error & { failureType: string };
    expect(err.failureType).toBe('DatabaseAuthFailed');
    expect(err.message).toContain(
      'connection "app" (app.cluster-xyz.eu-west-1.rds.amazonaws.com:5432/app): the server refused the login (PAM authentication failed for user "ferry")',
    );
    expect(err.message).toContain('GRANT rds_iam TO ferry');
    expect(err.message).toContain('rds-db:connect on arn:aws:rds-db:<region>:<account>:dbuser:<DbiResourceId>/ferry');
    expect(err.message).not.toContain(token);
    expect(err.message).not.toContain('SECRET-SESSION');
  });

  it('a server without TLS under sslmode verify-full says which side to change', () => {
    const err = describeConnectError(new Error('The server does not support SSL connections'), rds) as Error & { failureType: string };
    expect(err.failureType).toBe('DatabaseTlsFailed');
    expect(err.message).toContain('sslmode verify-full (from connections.app.sslmode) needs TLS, but the server does not offer it');
  });

  it('leaves other errors (server down, network) as they are, retryable', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(describeConnectError(refused, rds)).toBe(refused);
  });
});
