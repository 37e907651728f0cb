import { readFileSync } from 'node:fs';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import { formatPath, type Problem } from '../problems';
import { resolvePipeline, type ResolvedPipeline } from '../resolve';

/** A pipeline file that cannot be used; the message lists every problem with its place. */
export class PipelineFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file} is not a valid ferry pipeline:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'PipelineFileError';
  }
}

/** Reads, parses (YAML, so JSON too) and resolves a pipeline file, or throws PipelineFileError. */
export function readPipelineFile(file: string): ResolvedPipeline {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new PipelineFileError(file, [`cannot read it: ${(err as Error).message}`]);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new PipelineFileError(
      file,
      doc.errors.map(
        (e) =>
          `${file}:${e.linePos?.[0].line ?? '?'}:${e.linePos?.[0].col ?? '?'}: not valid YAML: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`,
      ),
    );
  }
  const result = resolvePipeline(doc.toJS());
  if (result.ok) return result.pipeline;
  throw new PipelineFileError(
    file,
    result.problems.map((p) => `${file}:${placeOf(doc, lines, p)}: ${formatPath(p.path)}: ${p.message}`),
  );
}

/** line:column of the problem's node, or of its nearest ancestor that exists (a missing key). */
function placeOf(doc: Document, lines: LineCounter, problem: Problem): string {
  for (let n = problem.path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(problem.path.slice(0, n), true);
    if (isNode(node) && node.range) {
      const { line, col } = lines.linePos(node.range[0]);
      return `${line}:${col}`;
    }
  }
  return '1:1';
}
