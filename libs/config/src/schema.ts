import { z } from 'zod';

/**
 * The worker's configuration file. Secrets never appear here: a connection names the
 * environment variable that holds its password (`passwordEnv`), and S3 keys come from the
 * AWS SDK's default chain (environment, profile, instance role). Connections and `s3` are
 * strict, so a `password` written into the file is an error, not silently ignored.
 */
const connectionFields = {
  host: z.string().min(1),
  port: z.number().int().positive().optional(),
  database: z.string().min(1),
  user: z.string().min(1),
  passwordEnv: z.string().min(1).optional(),
  ssl: z.boolean().default(false),
};

export const redshiftConnectionSchema = z.object({
  kind: z.literal('redshift'),
  ...connectionFields,
  /** The IAM role Redshift assumes to write the unloaded files (`UNLOAD … IAM_ROLE`). */
  iamRole: z.string().min(1),
}).strict();

export const postgresConnectionSchema = z.object({
  kind: z.literal('postgres'),
  ...connectionFields,
  /** Schema that holds the per-run staging tables; ferry creates it when missing. */
  stagingSchema: z.string().min(1).default('ferry_staging'),
  /** At most this many part loads (COPY sessions) on this database at once, over all runs of a worker. */
  maxConcurrentLoads: z.number().int().positive().default(8),
  /** `copy` streams parts through the worker; `aws_s3` has RDS/Aurora import them from S3 itself. */
  loadMethod: z.enum(['copy', 'aws_s3']).default('copy'),
  /**
   * For `aws_s3` on an instance without an IAM role for s3Import: the environment variables
   * that hold the keys the database uses to read S3.
   */
  awsS3Credentials: z
    .object({ accessKeyIdEnv: z.string().min(1), secretAccessKeyEnv: z.string().min(1), sessionTokenEnv: z.string().min(1).optional() })
    .optional(),
}).strict();

export const connectionSchema = z.discriminatedUnion('kind', [redshiftConnectionSchema, postgresConnectionSchema]);

export const s3ConfigSchema = z.object({
  bucket: z.string().min(1),
  /** Key prefix under which each run gets its own folder. */
  prefix: z.string().default('ferry/'),
}).strict();

export const ferryConfigSchema = z.object({
  s3: s3ConfigSchema,
  connections: z.record(z.string(), connectionSchema),
});

export type RedshiftConnection = z.infer<typeof redshiftConnectionSchema>;
export type PostgresConnection = z.infer<typeof postgresConnectionSchema>;
export type Connection = z.infer<typeof connectionSchema>;
export type FerryConfig = z.infer<typeof ferryConfigSchema>;
