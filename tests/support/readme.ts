import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './processes';

/**
 * The `temporal …` commands of README.md's sh blocks as argument lists (continuation lines
 * joined, quotes removed, comments dropped), so tests run exactly what the docs say.
 */
export function readmeTemporalCommands(): string[][] {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const commands: string[][] = [];
  for (const block of readme.matchAll(/```sh\n([\s\S]*?)```/g)) {
    const lines = block[1].replace(/\\\n\s*/g, ' ').split('\n');
    for (const line of lines) {
      const words = shellWords(line);
      if (words[0] === 'temporal') commands.push(words.slice(1));
    }
  }
  return commands;
}

/** The README command that starts with these words; fails the test if the README lost it. */
export function readmeCommand(...start: string[]): string[] {
  const found = readmeTemporalCommands().find((c) => start.every((w, i) => c[i] === w) || (start.length > 2 && start.every((w) => c.includes(w))));
  if (!found) throw new Error(`README.md has no \`temporal ${start.join(' ')}\` command`);
  return found;
}

/** Replaces the value after each named flag. */
export function withFlags(command: string[], values: Record<string, string>): string[] {
  return command.map((w, i) => (i > 0 && values[command[i - 1]] !== undefined ? values[command[i - 1]] : w));
}

function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === "'" || c === '"') {
      const end = line.indexOf(c, i + 1);
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (c === ' ') {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === '#' && word === undefined) {
      break;
    } else word = (word ?? '') + c;
  }
  if (word !== undefined) words.push(word);
  return words;
}
