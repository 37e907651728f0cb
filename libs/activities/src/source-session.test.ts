import type { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import type { Named, RedshiftConnection } from '@ferry/config';
import type { SessionPools } from './pg/session-pools';
import { useSource } from './source-session';

const connection = {
  kind: 'redshift',
  name: 'warehouse',
  transport: 'data-api',
  clusterIdentifier: 'analytics',
  database: 'dev',
} as Named<RedshiftConnection>;

/** SessionPools whose Data API client answers every call by throwing `error`. */
const refusing = (error: Error) =>
  ({ dataApi: () => ({ send: async () => Promise.reject(error) }) as unknown as RedshiftDataClient }) as unknown as SessionPools;

describe('useSource over the Data API', () => {
  it("turns IAM's refusal into a non-retryable failure that names the connection and the permissions page", async () => {
    const denied = Object.assign(new Error('User: arn:aws:sts::1:assumed-role/ferry/pod is not authorized to perform: redshift-data:ExecuteStatement'), {
      name: 'AccessDeniedException',
    });
    const failure = await useSource(refusing(denied), connection, 'ferry test', (_, session) => session.query('SELECT 1')).catch((e: unknown) => e);
    expect(failure).toMatchObject({ type: 'DatabaseAuthFailed', nonRetryable: true });
    expect((failure as Error).message).toBe(
      'the Redshift Data API refused the worker on connection "warehouse" (cluster analytics/dev): User: arn:aws:sts::1:assumed-role/ferry/pod is not authorized to perform: redshift-data:ExecuteStatement. ' +
        "Give the worker's role the redshift-data permissions in docs/iam.md section 5, and the login its user or secret needs (section 4)",
    );
  });

  it('leaves other errors to the retry policy', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    await expect(useSource(refusing(throttled), connection, 'ferry test', (_, session) => session.query('SELECT 1'))).rejects.toBe(throttled);
  });
});
