import { RedshiftClient } from '@aws-sdk/client-redshift';
import { RedshiftServerlessClient } from '@aws-sdk/client-redshift-serverless';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { LoginCredentials, Named } from '@ferry/config';
import { rdsIamToken, type SignerFactory } from './rds-iam';
import { redshiftClusterLogin, redshiftServerlessLogin } from './redshift-credentials';
import { regionFor } from './region';
import { secretPassword } from './secret-password';

export interface DbLogin extends LoginCredentials {
  /** True when this login came from the cache, so a refused login is worth one fresh attempt. */
  cached: boolean;
}

interface CacheEntry {
  login: LoginCredentials;
  /** ms since the epoch after which the entry is not used; undefined: until invalidated. */
  until?: number;
}

export interface DbCredentialsOptions {
  env?: NodeJS.ProcessEnv;
  now?: () => number;
  signer?: SignerFactory;
}

/** Temporary Redshift passwords are not reused in their last minute: a login started then could race the expiry. */
const EXPIRY_MARGIN_MS = 60_000;

/**
 * Logins for connections whose password comes from AWS, with the caching each needs:
 * a Secrets Manager password until a login with it is refused (then it is fetched again, the
 * secret may have been rotated), a temporary Redshift login until shortly before it expires,
 * and an RDS IAM token never (each connection signs a fresh one). One instance per worker
 * process; the values live only in its memory.
 */
export class DbCredentials {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly clients = new Map<string, unknown>();
  private readonly env: NodeJS.ProcessEnv;
  private readonly now: () => number;
  private readonly signer?: SignerFactory;

  constructor(options: DbCredentialsOptions = {}) {
    this.env = options.env ?? process.env;
    this.now = options.now ?? Date.now;
    this.signer = options.signer;
  }

  async login(c: Named): Promise<DbLogin> {
    if (c.kind === 'postgres' && c.iamAuth) {
      return { user: c.user, password: await rdsIamToken(c, regionFor(c, this.env), this.signer), cached: false };
    }
    const key = cacheKey(c);
    const hit = this.cache.get(key);
    if (hit && (hit.until === undefined || hit.until > this.now())) return { ...hit.login, cached: true };
    const entry = await this.fetch(c);
    this.cache.set(key, entry);
    return { ...entry.login, cached: false };
  }

  /** Forgets the cached login of a connection, so the next login asks AWS again. */
  invalidate(c: Named): void {
    this.cache.delete(cacheKey(c));
  }

  private async fetch(c: Named): Promise<CacheEntry> {
    if (c.passwordSecret) {
      const client = this.client('secrets', regionFor(c, this.env, c.passwordSecret), (region) => new SecretsManagerClient({ region }));
      return { login: { user: c.user!, password: await secretPassword(client, c) } };
    }
    if (c.kind === 'redshift' && (c.clusterIdentifier || c.workgroupName)) {
      const region = regionFor(c, this.env);
      const temp = c.clusterIdentifier
        ? await redshiftClusterLogin(
            this.client('redshift', region, (r) => new RedshiftClient({ region: r })),
            c,
          )
        : await redshiftServerlessLogin(
            this.client('redshift-serverless', region, (r) => new RedshiftServerlessClient({ region: r })),
            c,
          );
      return { login: { user: temp.user, password: temp.password }, until: temp.expiresAt && temp.expiresAt.getTime() - EXPIRY_MARGIN_MS };
    }
    throw new Error(`connection ${JSON.stringify(c.name)} does not log in with AWS credentials`);
  }

  private client<T>(service: string, region: string, create: (region: string) => T): T {
    const key = `${service}@${region}`;
    if (!this.clients.has(key)) this.clients.set(key, create(region));
    return this.clients.get(key) as T;
  }
}

function cacheKey(c: Named): string {
  const r = c.kind === 'redshift' ? c : undefined;
  return JSON.stringify([c.kind, c.host, c.port, c.database, c.user, c.region, c.passwordSecret, r?.clusterIdentifier, r?.workgroupName]);
}
