import { quoteIdent, quoteLiteral, quoteQualified, statement, type QualifiedName, type Statement } from '@ferry/sql';

export type Commented = { kind: 'TABLE' | 'INDEX'; name: QualifiedName } | { kind: 'CONSTRAINT'; name: string; on: QualifiedName };

/** Comments cannot be bound as parameters; quoted as a literal instead. */
export function commentOn(object: Commented, comment: string): Statement {
  const what =
    object.kind === 'CONSTRAINT' ? `CONSTRAINT ${quoteIdent(object.name)} ON ${quoteQualified(object.on)}` : `${object.kind} ${quoteQualified(object.name)}`;
  return statement(`COMMENT ON ${what} IS ${quoteLiteral(comment)}`);
}
