// `ferry doctor`: a preflight of a deployment, checked the way a run uses each piece.
export * from './check';
export * from './doctor';
export * from './report';
export * from './postgres-checks';
