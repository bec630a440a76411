// The shared shape of both programs (`jukebox`, `simulate`): strict yargs, --help/--version/--debug
// on every command, usage errors that stop everything (exit 2, nothing runs), bounds on every
// number option, and one exit code: the command's own, or the table's for whatever it threw.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import yargs, { type Argv, type CommandModule } from 'yargs';
import { JukeboxError } from '../errors.js';
import { closestWords } from '../util/suggest.js';
import { packageRoot } from '../util/paths.js';
import { escapeForTerminal } from '../util/terminal-text.js';
import { checkNumberBounds } from './bounds.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import { print, printError, reportError, setDebug } from './output.js';

export type SetExitCode = (code: number) => void;

export interface ProgramSpec {
  name: string;
  usage: string;
  /**
   * Each command reports its exit code through the setter it is given. `any`: every command has
   * its own argument type and yargs' CommandModule is invariant in it, so a list must erase it.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  commands: Array<(setExitCode: SetExitCode) => CommandModule<object, any>>;
  /** When set, running with no command is a usage error with this message. */
  demandCommand?: string;
  /** The default command's first argument is a file (simulate's scenario): a word close to a command name that is no file is a mistyped command. */
  defaultCommandTakesFile?: boolean;
  epilogue?: string;
}

/**
 * `--name -` as `--name=-`: yargs takes a lone `-` for a positional and leaves the option empty,
 * while `-` is the usual way to say "stdout" (`client get X --out -`). No command takes `-` as a
 * positional, so only the pair before `--` is joined.
 */
function joinDashValues(argv: string[]): string[] {
  const end = argv.indexOf('--');
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const next = argv[i + 1];
    if ((end === -1 || i + 1 < end) && next === '-' && /^--[^=]+$/.test(arg)) {
      out.push(`${arg}=-`);
      i++;
    } else out.push(arg);
  }
  return out;
}

export async function runProgram(spec: ProgramSpec, rawArgv: string[]): Promise<number> {
  const argv = joinDashValues(rawArgv);
  setDebug(optionsPart(argv).includes('--debug'));
  let exitCode: number = EXIT.OK;
  const setExitCode: SetExitCode = (code) => {
    exitCode = code;
  };
  try {
    if (argv.length === 0) {
      // No argument at all: most likely someone trying the command; show them what it takes.
      printError(
        await parse(
          buildProgram(spec, ['--help'], () => undefined),
          ['--help'],
        ),
      );
      return EXIT.USAGE;
    }
    refuseMistypedCommand(spec, argv);
    refuseDashMangledNames(argv);
    const output = await parse(buildProgram(spec, argv, setExitCode), argv);
    // Only --help and --version produce output here; usage errors throw instead.
    if (output !== '') print(output);
  } catch (err) {
    reportError(err);
    return exitCodeFor(err);
  }
  return exitCode;
}

function buildProgram(spec: ProgramSpec, argv: string[], setExitCode: SetExitCode): Argv {
  let program: Argv = yargs(argv).scriptName(spec.name).usage(spec.usage).locale('en');
  for (const command of spec.commands) program = program.command(command(setExitCode));
  if (spec.demandCommand) program = program.demandCommand(1, spec.demandCommand);
  if (spec.epilogue) program = program.epilogue(spec.epilogue);
  program = program
    .option('debug', { type: 'boolean', global: true, describe: 'On an internal error (a bug), print its stack trace instead of writing it to a file' })
    .check((parsed) => {
      // yargs' strict mode forgives a name whose camelCase form is known (`--h-` is `h`); we do not.
      refuseUnknownOptions(program, argv);
      // Every number option's bound, before the command's handler runs (bounds.ts).
      checkNumberBounds(parsed, optionsPart(argv));
      return true;
    }, true)
    .strict()
    .help()
    .alias('h', 'help')
    .version(packageVersion())
    // Listed after each command's own options, under their own heading.
    .group(['debug', 'version', 'help'], 'Global options:')
    .exitProcess(false)
    .wrap(Math.min(100, process.stdout.columns || 100))
    .fail((message, err, usage) => {
      // Throwing is what stops yargs: a fail handler that returns lets the command run anyway.
      // A YError is yargs' own usage complaint (e.g. requiresArg); any other error came from our code.
      if (err && err.name !== 'YError') throw err;
      // By now `program` holds the options of the command yargs got to (its builder ran on this same instance).
      const options = (program as unknown as { getOptions(): ParsedOptions }).getOptions();
      throw usageError(spec.name, message || err?.message || '', usage as unknown as UsageView, knownOptions(options), argv);
    });
  return program;
}

/** Refuses an option token that is none of the current command's names, as yargs' strict mode would have. */
function refuseUnknownOptions(program: Argv, argv: string[]): void {
  const options = (program as unknown as { getOptions(): ParsedOptions }).getOptions();
  const unknown = unknownOptions(argv, knownOptions(options));
  if (unknown.length === 0) return;
  const documented = Object.keys(options.key);
  throw new JukeboxError('E_BAD_ARGUMENT', unknown.map((name) => describeUnknown(name, argv, documented, [])).join('\n  '), {
    hint: 'the same command with --help lists its options',
  });
}

/** The part of yargs' (untyped) getOptions() we read. */
interface ParsedOptions {
  key: Record<string, unknown>;
  alias: Record<string, string[]>;
}

/** Every option name the current command accepts: names, aliases, and their camelCase forms. */
function knownOptions(options: ParsedOptions): Set<string> {
  const names = [...Object.keys(options.key), ...Object.entries(options.alias).flatMap(([k, v]) => [k, ...v])];
  return new Set(names.flatMap((k) => [k, k.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())]));
}

/** Parses and runs; resolves with what yargs would have printed (help or version), throws a usage error or whatever the command threw. */
async function parse(program: Argv, argv: string[]): Promise<string> {
  let output = '';
  let failure: { err: unknown } | undefined;
  await program.parseAsync(argv, {}, (err: unknown, _parsed: unknown, text: string) => {
    if (err) failure = { err };
    output = text;
  });
  if (failure) throw failure.err;
  return output;
}

/** The part of yargs' fail-handler argument we read: it is yargs' usage object, not the Argv its types claim. */
interface UsageView {
  getDescriptions(): Record<string, unknown>;
  getCommands(): Array<[string, ...unknown[]]>;
  getUsage(): Array<[string, ...unknown[]]>;
}

/** Everything before `--` (what follows is never an option). */
function optionsPart(argv: readonly string[]): string[] {
  const end = argv.indexOf('--');
  return end === -1 ? [...argv] : argv.slice(0, end);
}

/** Turns yargs' message into ours: the option or command named, what was expected, a did-you-mean, a hint. */
function usageError(program: string, message: string, usage: UsageView, knownNames: ReadonlySet<string>, argv: string[]): JukeboxError {
  const commandLine = commandOf(usage);
  const help = `'${[program, commandLine, '--help'].filter((s) => s !== '').join(' ')}'`;
  // Suggestions come from the documented names only (no aliases, no camelCase twins).
  const known = Object.keys(usage.getDescriptions());
  const commands = usage
    .getCommands()
    .map((c) => c[0].split(' ')[0] ?? '')
    .filter((c) => c !== '' && c !== '$0');
  const unknown = /^Unknown arguments?: (.*)$/s.exec(message);
  if (unknown) {
    const problems = (unknown[1] ?? '').split(', ').map((name) => describeUnknown(name, argv, known, commands));
    const what = problems.some((p) => p.includes('unknown command')) ? 'commands and options' : 'options';
    return new JukeboxError('E_BAD_ARGUMENT', problems.join('\n  '), { hint: `${help} lists the ${what}` });
  }
  // yargs checks a missing command or argument before unknown options: name both, the unknown option first (the likelier mistake).
  const problems = [...unknownOptions(argv, knownNames).map((name) => describeUnknown(name, argv, known, commands)), translate(message, usage)];
  return new JukeboxError('E_BAD_ARGUMENT', problems.join('\n  '), { hint: `${help} explains every argument` });
}

/** "client get" from yargs' usage line "$0 client get <song>". */
function commandOf(usage: UsageView): string {
  const line = String(usage.getUsage()[0]?.[0] ?? '').split('\n', 1)[0] ?? '';
  return line
    .split(' ')
    .filter((word) => word !== '$0' && !/^[<[]/.test(word))
    .join(' ');
}

function describeUnknown(name: string, argv: readonly string[], known: readonly string[], commands: readonly string[]): string {
  const shown = escapeForTerminal(name);
  const dashes = typedAsOption(name, argv);
  if (dashes !== undefined) {
    const near = closestWords(
      name,
      known.filter((k) => k.length > 1),
    );
    return `${dashes}${shown}: unknown option${near.length > 0 ? `, did you mean ${near.map((k) => `--${k}`).join(' or ')}?` : ''}`;
  }
  if (commands.length === 0) return `${shown}: unexpected argument (this command takes no more)`;
  const near = closestWords(name, commands);
  return `${shown}: unknown command${near.length > 0 ? `, did you mean ${near.join(' or ')}?` : `; the commands are ${commands.join(', ')}`}`;
}

/** How yargs' unknown "name" was typed: `--name` (or `--name=…`), `--no-name`, a letter in `-abc`; undefined for a positional. */
function typedAsOption(name: string, argv: readonly string[]): '--' | '--no-' | '-' | undefined {
  for (const token of optionsPart(argv)) {
    if (!token.startsWith('-')) continue;
    const bare = token.replace(/^--?/, '').split('=', 1)[0] ?? '';
    if (token.startsWith('--') && bare === name) return '--';
    if (token.startsWith('--') && bare === `no-${name}`) return '--no-';
    if (!token.startsWith('--') && (bare === name || (name.length === 1 && bare.includes(name)))) return '-';
  }
  return undefined;
}

/** Options on the command line (`--name`, `--name=…`, the letters of `-abc`) that the command, as far as yargs got, does not know. */
function unknownOptions(argv: readonly string[], known: ReadonlySet<string>): string[] {
  const names = optionsPart(argv).flatMap((token) => {
    // A negative number is a value, not an option.
    if (/^-\d/.test(token) || token === '-') return [];
    if (token.startsWith('--')) return token.length > 2 ? [token.slice(2).split('=', 1)[0] ?? ''] : [];
    if (token.startsWith('-')) return [...(token.slice(1).split('=', 1)[0] ?? '')];
    return [];
  });
  return [...new Set(names)].filter((name) => !known.has(name) && !(name.startsWith('no-') && known.has(name.slice(3))));
}

/** yargs' other usage messages, in the contract's "<option>: expected …, got …" shape. */
function translate(message: string, usage: UsageView): string {
  let m: RegExpExecArray | null;
  if ((m = /^Not enough arguments following: (.+)$/.exec(message))) return `--${m[1]}: expected a value after it, got none`;
  if ((m = /^Missing required arguments?: (.+)$/.exec(message)))
    return (m[1] ?? '')
      .split(', ')
      .map((o) => `--${o}: required, got none`)
      .join('\n  ');
  if ((m = /^Invalid values:\s*Argument: (\S+), Given: (.*), Choices: (.*)$/s.exec(message)))
    return `--${m[1]}: expected one of ${m[3]}, got ${escapeForTerminal(m[2] ?? '')}`;
  if ((m = /^Not enough non-option arguments: got (\d+), need at least (\d+)$/.exec(message))) {
    const wanted = (String(usage.getUsage()[0]?.[0] ?? '').split('\n', 1)[0] ?? '').split(' ').filter((w) => w.startsWith('<'));
    return `${wanted.join(' ') || 'arguments'}: expected ${m[2]} argument${m[2] === '1' ? '' : 's'}, got ${m[1]}`;
  }
  if ((m = /^Too many non-option arguments: got (\d+), maximum of (\d+)$/.exec(message)))
    return `expected at most ${m[2]} argument${m[2] === '1' ? '' : 's'}, got ${m[1]}`;
  return escapeForTerminal(message);
}

/**
 * simulate's first argument is a scenario file, so yargs would take a mistyped command
 * (`simulate compar a.json b.json`) for a scenario: a word that is no file but close to a command
 * name is refused as the mistyped command it most likely is.
 */
function refuseMistypedCommand(spec: ProgramSpec, argv: readonly string[]): void {
  if (!spec.defaultCommandTakesFile) return;
  const first = argv[0];
  if (first === undefined || first.startsWith('-')) return;
  const commands = spec.commands.map((c) => String(c(() => undefined).command ?? '').split(' ')[0] ?? '').filter((c) => c !== '' && c !== '$0');
  if (commands.includes(first) || existsSync(first)) return;
  const near = closestWords(first, commands);
  if (near.length === 0) return;
  throw new JukeboxError('E_BAD_ARGUMENT', `${escapeForTerminal(first)}: unknown command, did you mean ${near.join(' or ')}?`, {
    hint: `'${spec.name} --help' lists the commands; a scenario must be a file that exists`,
  });
}

/**
 * yargs folds `--help-` into `help` (and `--json--x` into `jsonX`) before any check of ours runs,
 * so `--help-` would print help and `--seed-` set the seed: a long name that ends in a dash or
 * holds two in a row is nobody's option.
 */
function refuseDashMangledNames(argv: readonly string[]): void {
  const mangled = optionsPart(argv)
    .filter((token) => token.startsWith('--') && token.length > 2)
    .map((token) => token.slice(2).split('=', 1)[0] ?? '')
    .filter((name) => name.endsWith('-') || name.includes('--'));
  if (mangled.length === 0) return;
  throw new JukeboxError(
    'E_BAD_ARGUMENT',
    mangled.map((name) => `--${escapeForTerminal(name)}: unknown option (an option name neither ends in a dash nor holds two in a row)`).join('\n  '),
    {
      hint: 'the same command with --help lists its options',
    },
  );
}

let version: string | undefined;

/** The version in package.json, read once. */
function packageVersion(): string {
  if (version === undefined) {
    const parsed: unknown = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8'));
    version = typeof parsed === 'object' && parsed !== null && 'version' in parsed ? String(parsed.version) : 'unknown';
  }
  return version;
}
