/** The 12-hex-digit short form that `cove ps` and `cove images` print. */
export function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

/** Shell-like rendering of an argv, quoting only where a word needs it. */
export function formatCommand(argv: string[]): string {
  return argv
    .map((word) => (word === '' || /[\s"'\\$`]/.test(word) ? `'${word.replace(/'/g, `'\\''`)}'` : word))
    .join(' ');
}
