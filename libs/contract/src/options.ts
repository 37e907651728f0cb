import { z } from 'zod';

// The option values workflows, activities and users share, each defined once: the zod enums
// validate input (libs/pipeline builds its schemas from them) and their types are the
// contract's.

export const loadModeSchema = z.enum(['replace', 'append', 'upsert', 'sync']);
/**
 * How finalize publishes staged rows into the target. `sync` makes the target equal to the
 * source by moving only the key segments whose checksums differ (deletes included).
 */
export type LoadMode = z.infer<typeof loadModeSchema>;

export const compressionSchema = z.enum(['gzip', 'zstd', 'bzip2', 'none']);
/** Compression of the unloaded parts (UNLOAD's GZIP, ZSTD, BZIP2 or none). */
export type Compression = z.infer<typeof compressionSchema>;

export const loadMethodSchema = z.enum(['copy', 'aws_s3']);
/** How parts get into the staging table. */
export type LoadMethod = z.infer<typeof loadMethodSchema>;

export const createTargetSchema = z.enum(['never', 'ifMissing']);
export type CreateTarget = z.infer<typeof createTargetSchema>;

export const createIndexesSchema = z.enum(['none', 'sortKey']);
export type CreateIndexes = z.infer<typeof createIndexesSchema>;

export const onSchemaChangeOptions = z.enum(['fail', 'addColumns']);
/** A source column the target lacks: refuse, or add it. */
export type OnSchemaChange = z.infer<typeof onSchemaChangeOptions>;

export const verifyOptions = z.enum(['counts', 'checksum']);
/** What finalize proves before publishing: row counts, or every value by segment checksums. */
export type VerifyMode = z.infer<typeof verifyOptions>;
