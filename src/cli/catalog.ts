// `jukebox catalog build|verify|generate`: the catalog tools, a thin layer over src/catalog.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { JukeboxError } from '../errors.js';
import { buildCatalogFromFolder, localServers, type ServerAssignment } from '../catalog/folder.js';
import { libraryPaths, regenerateSongs, resolveLibrary, updateGeneratedSongFacts, type LibrarySongEvent } from '../catalog/library.js';
import { loadCatalog } from '../catalog/load.js';
import { catalogVersion } from '../catalog/version.js';
import { describeMismatch, verifyLibrary } from '../catalog/verify.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import { defaultCatalogPath } from '../util/paths.js';
import { escapeForTerminal } from '../util/terminal-text.js';
import { exitCodeFor } from './exit-codes.js';
import { EXIT, print, printError, reportError } from './output.js';

type SetExitCode = (code: number) => void;

const ASSIGN_CHOICES = ['all', 'alternate', 'split'] as const;

export function catalogCommand(setExitCode: SetExitCode): CommandModule {
  return {
    command: 'catalog',
    describe: 'Build, verify and generate the song library behind a catalog.json',
    builder: (yargs: Argv) =>
      yargs
        .command(buildCommand(setExitCode))
        .command(verifyCommand(setExitCode))
        .command(generateCommand(setExitCode))
        .demandCommand(1, 'Choose a catalog command: build, verify or generate.')
        .epilog(
          'A catalog lists every song (id, title, artist, duration, bitrate, bytes, sha256) and which servers hold it. ' +
            "Songs with a 'file' are your MP3s, relative to the catalog; the others are generated deterministically " +
            'into the cache (JUKEBOX_CACHE_DIR, default <project>/.cache).',
        ),
    handler: () => {
      // Never reached: demandCommand requires one of the subcommands above.
    },
  };
}

interface BuildArgs {
  folder: string;
  out: string | undefined;
  assign: (typeof ASSIGN_CHOICES)[number];
  servers: number;
  force: boolean;
  strict: boolean;
}

function buildCommand(setExitCode: SetExitCode): CommandModule<object, BuildArgs> {
  return {
    command: 'build <folder>',
    describe: 'Make a catalog.json from a folder of your own MP3s',
    builder: (yargs) =>
      yargs
        .positional('folder', { type: 'string', demandOption: true, describe: 'folder searched recursively for *.mp3' })
        .option('out', { type: 'string', describe: 'where to write the catalog (default: <folder>/catalog.json); song files are relative to it' })
        .option('assign', {
          choices: ASSIGN_CHOICES,
          default: 'split' as const,
          describe:
            'which servers hold which songs: all = every server holds every song; alternate = each song on one server in turn; split = some on one server, some on two',
        })
        .option('servers', { type: 'number', default: 2, describe: 'how many servers (s1, s2, … on localhost ports 5000, 5001, …)' })
        .option('force', { type: 'boolean', default: false, describe: 'overwrite the output file if it exists' })
        .option('strict', {
          type: 'boolean',
          default: false,
          describe: 'fail (write nothing) if any .mp3 cannot be read, instead of skipping it with a warning',
        })
        .example('$0 catalog build ~/Music --assign all', 'every MP3 under ~/Music, on both servers') as Argv<BuildArgs>,
    handler: (args) =>
      reporting(setExitCode, async () => {
        const out = resolve(args.out ?? resolve(args.folder, 'catalog.json'));
        if (existsSync(out) && !args.force) {
          throw new JukeboxError('E_BAD_ARGUMENT', `${out} already exists`, { hint: 'pass --force to overwrite it, or --out another file' });
        }
        const assign: ServerAssignment = args.assign;
        const { catalog, skipped } = await buildCatalogFromFolder(args.folder, { servers: localServers(args.servers), assign, catalogFile: out });
        // File names and the reader's messages come from the folder: shown escaped.
        for (const skip of skipped) printError(`warning: skipped ${escapeForTerminal(skip.file)}: ${escapeForTerminal(skip.reason)}`);
        if (args.strict && skipped.length > 0) {
          printError(`error: ${skipped.length} file(s) could not be read; nothing written (--strict)`);
          setExitCode(EXIT.FAILED);
          return;
        }
        writeFileAtomic(out, `${JSON.stringify(catalog, null, 2)}\n`);
        const skippedNote = skipped.length > 0 ? `, ${skipped.length} file(s) skipped` : '';
        print(
          `wrote ${escapeForTerminal(out)}: ${catalog.songs.length} songs on ${catalog.servers.length} server(s)${skippedNote}, catalog version ${catalogVersion(catalog)}`,
        );
      }),
  };
}

interface CatalogArgs {
  catalog: string;
}

interface GenerateArgs extends CatalogArgs {
  update: boolean;
}

function catalogOption<T>(yargs: Argv<T>): Argv<T & CatalogArgs> {
  return yargs.option('catalog', {
    type: 'string',
    default: defaultCatalogPath,
    defaultDescription: "the project's catalog.json",
    describe: 'the catalog file',
  }) as Argv<T & CatalogArgs>;
}

interface VerifyArgs extends CatalogArgs {
  regenerate: boolean;
}

function verifyCommand(setExitCode: SetExitCode): CommandModule<object, VerifyArgs> {
  return {
    command: 'verify',
    describe: "Check every song file's size and sha256 against the catalog, cache files of generated songs included; exit 1 on any mismatch",
    builder: (yargs) =>
      catalogOption(yargs).option('regenerate', {
        type: 'boolean',
        default: false,
        describe: 'write again the cache files of generated songs that are missing or wrong (each one is named), then check them',
      }) as Argv<VerifyArgs>,
    handler: (args) =>
      reporting(setExitCode, async () => {
        const loaded = loadCatalog(args.catalog);
        const files = libraryPaths(loaded);
        let mismatches = await verifyLibrary(loaded, files);
        // A check that quietly repairs hides the fault (a cleaner that empties the cache, a disk
        // that truncates): verify reports; it rewrites cache files only when asked, and says so.
        const repairable = mismatches.filter((m) => m.generated);
        if (args.regenerate && repairable.length > 0) {
          for (const m of repairable) print(`regenerating: ${describeMismatch(m)}`);
          const written = await regenerateSongs(
            loaded,
            repairable.map((m) => m.songId),
          );
          for (const w of written) print(`regenerated song ${w.songId}: ${w.file}`);
          mismatches = await verifyLibrary(loaded, files);
        }
        for (const mismatch of mismatches) printError(`mismatch: ${describeMismatch(mismatch)}`);
        if (mismatches.length > 0) {
          printError(`${mismatches.length} of ${files.size} song files do not match ${loaded.path}`);
          if (mismatches.some((m) => m.generated)) {
            printError("hint: cache files of generated songs can be written again: 'jukebox catalog verify --regenerate' or 'jukebox catalog generate'");
          }
          setExitCode(EXIT.FAILED);
          return;
        }
        const note = args.regenerate && repairable.length > 0 ? `, ${repairable.length} regenerated` : '';
        print(`ok: all ${files.size} song files match ${loaded.path}${note} (catalog version ${loaded.version})`);
      }),
  };
}

function generateCommand(setExitCode: SetExitCode): CommandModule<object, GenerateArgs> {
  return {
    command: 'generate',
    describe: "Write the generated songs' MP3s to the cache; with --update, first rewrite their bytes and sha256 in the catalog",
    builder: (yargs) =>
      catalogOption(yargs).option('update', {
        type: 'boolean',
        default: false,
        describe: 'rewrite bytes and sha256 of every generated song in the catalog file to those of the generated MP3 (other fields and formatting kept)',
      }) as Argv<GenerateArgs>,
    handler: (args) =>
      reporting(setExitCode, async () => {
        if (args.update) {
          const changes = await updateGeneratedSongFacts(args.catalog);
          for (const change of changes) {
            print(`updated ${change.songId}: ${change.before.bytes} → ${change.after.bytes} bytes, sha256 ${change.after.sha256}`);
          }
          print(changes.length > 0 ? `updated ${changes.length} song(s) in ${resolve(args.catalog)}` : `${resolve(args.catalog)} is up to date`);
        }
        const loaded = loadCatalog(args.catalog);
        const files = await resolveLibrary(loaded, { onSong: (event) => print(progressLine(event)) });
        print(`library ready: ${files.size} songs, catalog version ${loaded.version}`);
      }),
  };
}

function progressLine(event: LibrarySongEvent): string {
  return `[${event.index}/${event.total}] ${event.songId}: ${event.action} ${event.file}`;
}

/** Runs a handler, turning its errors into a printed report and the exit code the one table gives them (2 for bad input). */
async function reporting(setExitCode: SetExitCode, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (err) {
    reportError(err);
    setExitCode(exitCodeFor(err));
  }
}
