/**
 * Shell-like splitting of a command line into argv (MCP_COMMAND, mcp.commands[].command),
 * without ever running a shell: whitespace separates words; '…' is literal; "…" is literal
 * except \" \\ \$ \` and backslash-newline; outside quotes a backslash escapes the next
 * character. No variable expansion, no globbing, no operators (`|`, `&&`, `>` are plain text).
 */
import { StdioChannelError } from './stdio-errors.js';

const DOUBLE_QUOTE_ESCAPABLE = new Set(['"', '\\', '$', '`', '\n']);

export function argvFromCommandLine(command: string): string[] {
  const argv: string[] = [];
  let word = '';
  let inWord = false;
  let quote: "'" | '"' | undefined;
  let quoteStart = 0;
  for (let i = 0; i < command.length; i++) {
    const ch = command[i] as string;
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else word += ch;
      continue;
    }
    if (quote === '"') {
      if (ch === '"') quote = undefined;
      else if (
        ch === '\\' &&
        i + 1 < command.length &&
        DOUBLE_QUOTE_ESCAPABLE.has(command[i + 1] as string)
      ) {
        const next = command[++i] as string;
        if (next !== '\n') word += next;
      } else word += ch;
      continue;
    }
    if (ch === '\\') {
      if (i + 1 >= command.length) {
        throw new StdioChannelError(
          'stdio_argv_dangling_escape',
          'The command ends with a lone backslash. Remove it or escape it as \\\\.',
        );
      }
      const next = command[++i] as string;
      if (next !== '\n') word += next;
      inWord = true;
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
      quoteStart = i;
      inWord = true;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      if (inWord) argv.push(word);
      word = '';
      inWord = false;
      continue;
    }
    word += ch;
    inWord = true;
  }
  if (quote) {
    throw new StdioChannelError(
      'stdio_argv_unbalanced_quote',
      `Unbalanced ${quote === '"' ? 'double' : 'single'} quote starting at character ${quoteStart + 1} of the command. Close the quote or escape it with a backslash.`,
    );
  }
  if (inWord) argv.push(word);
  return argv;
}

/** The reverse, for display only (status, logs): quotes words that need it. Never used to spawn. */
export function commandLineForDisplay(argv: readonly string[]): string {
  return argv
    .map((arg) => (arg === '' || /[\s'"\\$`]/.test(arg) ? `'${arg.replace(/'/g, `'\\''`)}'` : arg))
    .join(' ');
}
