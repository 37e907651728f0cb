import { z } from 'zod';
import { loadMethodSchema } from '@ferry/contract';
import { checkConnectionRules } from './connection-rules';
import { SSL_MODES } from './ssl-modes';

/**
 * The worker's configuration file. Secrets never appear here: a connection names where its
 * password comes from (`passwordEnv`, `passwordSecret`) or how the worker obtains a short-lived
 * one (`iamAuth`, `clusterIdentifier`, `workgroupName`), and S3 credentials come from the AWS
 * SDK's default chain. Connections and `s3` are strict, so a `password` written into the file
 * is an error, not silently ignored.
 */
const connectionFields = {
  host: z.string().min(1),
  port: z.number().int().positive().optional(),
  database: z.string().min(1),
  passwordEnv: z.string().min(1).optional().describe('The environment variable that holds the password'),
  passwordSecret: z
    .string()
    .min(1)
    .optional()
    .describe('An AWS Secrets Manager secret (ARN or name) holding the password: JSON with a "password" key, or the plain string'),
  sslmode: z
    .enum(SSL_MODES, {
      error: (issue) =>
        `sslmode ${JSON.stringify(issue.input)} is not one ferry supports: use disable, require, verify-ca or verify-full (verify-full is what a production connection wants; libpq's allow and prefer fall back to plaintext, which ferry does not do)`,
    })
    .optional()
    .describe("libpq's sslmode: disable, require, verify-ca or verify-full (default: the worker's PGSSLMODE, else disable)"),
  sslrootcert: z
    .string()
    .min(1)
    .optional()
    .describe('A PEM file of the CA certificates to trust (for RDS and Aurora: the RDS global bundle), or "system" for the system trust store'),
  /** Before sslmode: `true` is `sslmode: verify-full` against the system trust store. */
  ssl: z.boolean().optional().describe('Legacy: true means sslmode verify-full with the system trust store; prefer sslmode'),
  /** The AWS region of the IAM and credential calls; default: from the host name, else AWS_REGION. */
  region: z.string().min(1).optional(),
};

export const redshiftConnectionSchema = z
  .object({
    kind: z.literal('redshift'),
    ...connectionFields,
    /** Not needed over the Data API, which reaches the cluster by its identifier. */
    host: z.string().min(1).optional(),
    transport: z
      .enum(['wire', 'data-api'])
      .default('wire')
      .describe(
        'wire: the PostgreSQL wire protocol to host:port (the worker needs a network path into the VPC). data-api: the Redshift Data API over HTTPS and IAM (clusterIdentifier or workgroupName; user as DbUser or passwordSecret as SecretArn); a running UNLOAD survives a worker crash',
      ),
    /** Optional only with `clusterIdentifier` (then the IAM identity names the user) or `workgroupName`. */
    user: z.string().min(1).optional(),
    /** The IAM role Redshift assumes to write the unloaded files (`UNLOAD … IAM_ROLE`). */
    iamRole: z.string().min(1),
    clusterIdentifier: z
      .string()
      .min(1)
      .optional()
      .describe('A provisioned cluster: log in with temporary credentials from GetClusterCredentials (with user) or GetClusterCredentialsWithIAM (without)'),
    workgroupName: z
      .string()
      .min(1)
      .optional()
      .describe('A Redshift Serverless workgroup: log in with temporary credentials from redshift-serverless GetCredentials'),
    maxConcurrentUnloads: z
      .number()
      .int()
      .positive()
      .max(256)
      .default(8)
      .describe(
        "At most this many UNLOADs on this cluster at once, over every run of every worker (slots held as advisory locks in each run's target database); keep it within the WLM queue's slots",
      ),
  })
  .strict()
  .superRefine(checkConnectionRules);

export const postgresConnectionSchema = z
  .object({
    kind: z.literal('postgres'),
    ...connectionFields,
    user: z.string().min(1),
    iamAuth: z.boolean().optional().describe("RDS/Aurora IAM authentication: a fresh token from the worker's AWS identity for every connection (needs TLS)"),
    /** Schema that holds the per-run staging tables; ferry creates it when missing. */
    stagingSchema: z.string().min(1).default('ferry_staging'),
    /** At most this many part loads (COPY or aws_s3 import sessions) on this database at once, over every run of every worker (slots held as advisory locks). */
    maxConcurrentLoads: z.number().int().positive().default(8),
    /** `copy` streams parts through the worker; `aws_s3` has RDS/Aurora import them from S3 itself. */
    loadMethod: loadMethodSchema.default('copy'),
    /**
     * For `aws_s3` on an instance without an IAM role for s3Import: the environment variables
     * that hold the keys the database uses to read S3.
     */
    awsS3Credentials: z
      .object({ accessKeyIdEnv: z.string().min(1), secretAccessKeyEnv: z.string().min(1), sessionTokenEnv: z.string().min(1).optional() })
      .optional(),
  })
  .strict()
  .superRefine(checkConnectionRules);

export const connectionSchema = z.discriminatedUnion('kind', [redshiftConnectionSchema, postgresConnectionSchema]);

export const s3ConfigSchema = z
  .object({
    bucket: z.string().min(1),
    /** Key prefix under which each run gets its own folder. */
    prefix: z.string().default('ferry/'),
  })
  .strict();

export const ferryConfigSchema = z.object({
  s3: s3ConfigSchema,
  connections: z.record(z.string(), connectionSchema),
});

export type RedshiftConnection = z.infer<typeof redshiftConnectionSchema>;
export type PostgresConnection = z.infer<typeof postgresConnectionSchema>;
export type Connection = z.infer<typeof connectionSchema>;
export type FerryConfig = z.infer<typeof ferryConfigSchema>;
/** A connection as the activities get it: with the name it has in the config, for messages. */
export type Named<C extends Connection = Connection> = C & { name?: string };
