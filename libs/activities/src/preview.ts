import { redshiftConnection, type FerryConfig } from '@ferry/config';
import { incrementalCondition, unloadSelect, unloadStatement } from '@ferry/redshift';
import { formatS3Url } from '@ferry/s3';
import { displayName, quoteIdent, quoteQualified } from '@ferry/sql';
import { chooseLoadMethod } from './prepare';
import { sourceRelation } from './source-columns';
import { locateTarget } from './target-locations';
import type { PrepareInput } from '@ferry/contract';

export interface TransferPreview {
  source: string;
  target: string;
  staging: string;
  loadMethod: string;
  unloadStatement: string;
}

/**
 * What a transfer will run, worked out from the config alone (`ferry plan`): no connection is
 * opened. The column list and an incremental run's high-water mark are read at run time, so
 * the preview shows `*` and the mark's definition in their place.
 */
export function previewTransfer(config: FerryConfig, input: Omit<PrepareInput, 'workflowId' | 'runId'>): TransferPreview {
  const where = locateTarget({ config }, input.target, input.s3);
  const source = sourceRelation(input);
  const { incremental } = input;
  const mark = incremental && `<max(${quoteIdent(incremental.column)}) of ${quoteQualified(where.table)} when the run starts>`;
  return {
    source: source.label,
    target: displayName(where.table),
    staging: displayName(where.staging),
    loadMethod: chooseLoadMethod(input, where.connection.loadMethod),
    unloadStatement: unloadStatement({
      select: unloadSelect(source, '*', incremental && incrementalCondition(incremental.column, input.target.mode, mark!)),
      url: formatS3Url({ bucket: where.bucket, key: `${where.folder}<run-id>/attempt-1/` }),
      iamRole: redshiftConnection(config, input.source.connection).iamRole,
      ...input.unload,
    }).text,
  };
}
