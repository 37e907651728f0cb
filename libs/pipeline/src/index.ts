// What users ask ferry to do: the `tableTransfer` input and pipeline documents. Pure and
// deterministic, so workflow code may import it; reading files lives in ./file (Node only).
export * from './transfer-input';
export * from './pipeline-schema';
export * from './problems';
export * from './dag';
export * from './resolve';
export * from './json-schema';
export * from './discovery';
export * from './verify-input';
