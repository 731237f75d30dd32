import type { Command } from 'commander';

/** Where the generated reference sits in README.md, and how wide its help text is. */
export const CliReference = {
  BEGIN: '<!-- cli-reference:begin (generated from --help by `npm run docs`; do not edit) -->',
  END: '<!-- cli-reference:end -->',
  /** Fixed, so the text does not depend on the terminal that generated it. */
  HELP_WIDTH_COLUMNS: 100,
} as const;

/**
 * Every subcommand's `--help`, as Markdown: a heading and a text block per command.
 *
 * @example
 * ```ts
 * const markdown = renderCliReference(kinlogProgram(context));
 * ```
 */
export function renderCliReference(program: Command): string {
  const sections = program.commands.map((command) => {
    command.configureHelp({ helpWidth: CliReference.HELP_WIDTH_COLUMNS });
    const help = command.helpInformation().trimEnd();
    return `### \`${program.name()} ${command.name()}\`\n\n\`\`\`text\n${help}\n\`\`\``;
  });
  return sections.join('\n\n');
}

/**
 * `readme` with the text between the reference markers replaced by `reference`.
 *
 * @throws {Error} when the markers are missing or out of order.
 * @example
 * ```ts
 * await writeFile('README.md', withCliReference(await readFile('README.md', 'utf8'), markdown));
 * ```
 */
export function withCliReference(readme: string, reference: string): string {
  const begin = readme.indexOf(CliReference.BEGIN);
  const end = readme.indexOf(CliReference.END);
  if (begin < 0 || end < begin) {
    throw new Error(
      `README has no CLI reference markers: add "${CliReference.BEGIN}" and "${CliReference.END}" lines`,
    );
  }
  return `${readme.slice(0, begin + CliReference.BEGIN.length)}\n\n${reference}\n\n${readme.slice(end)}`;
}
