/**
 * A problem with what the user asked for: the CLI prints its message as is and exits with 1.
 *
 * @example
 * ```ts
 * throw new CliError('--scale must be a number in (0, 8], got "big".');
 * ```
 */
export class CliError extends Error {
  override readonly name = "CliError";
}
