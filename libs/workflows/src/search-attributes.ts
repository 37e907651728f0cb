import { defineSearchAttributeKey, SearchAttributeType, TypedSearchAttributes } from '@temporalio/common';

/**
 * Custom search attributes that find ferry's runs: `FerryTable` (the target table) and
 * `FerryPipeline`. The local stack's dev server registers them; a real cluster needs
 * `temporal operator search-attribute create --name FerryTable --type Keyword` (and FerryPipeline).
 */
export const ferryTableKey = defineSearchAttributeKey('FerryTable', SearchAttributeType.KEYWORD);
export const ferryPipelineKey = defineSearchAttributeKey('FerryPipeline', SearchAttributeType.KEYWORD);

export function ferrySearchAttributes(of: { table?: string; pipeline?: string }): TypedSearchAttributes {
  return new TypedSearchAttributes([
    ...(of.table ? [{ key: ferryTableKey, value: of.table }] : []),
    ...(of.pipeline ? [{ key: ferryPipelineKey, value: of.pipeline }] : []),
  ]);
}
