// `jukebox catalog build|verify|generate`: the catalog tools, a thin layer over src/catalog.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { isJukeboxError, JukeboxError } from '../errors.js';
import { buildCatalogFromFolder, localServers, type ServerAssignment } from '../catalog/folder.js';
import { resolveLibrary, updateGeneratedSongFacts, writeFileAtomically, type LibrarySongEvent } from '../catalog/library.js';
import { loadCatalog } from '../catalog/load.js';
import { catalogVersion } from '../catalog/version.js';
import { describeMismatch, verifyLibrary } from '../catalog/verify.js';
import { defaultCatalogPath } from '../util/paths.js';
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
          describe: 'which servers hold which songs: all = every server holds every song; alternate = each song on one server in turn; split = some on one server, some on two',
        })
        .option('servers', { type: 'number', default: 2, describe: 'how many servers (s1, s2, … on localhost ports 5000, 5001, …)' })
        .option('force', { type: 'boolean', default: false, describe: 'overwrite the output file if it exists' })
        .option('strict', { type: 'boolean', default: false, describe: 'fail (write nothing) if any .mp3 cannot be read, instead of skipping it with a warning' })
        .example('$0 catalog build ~/Music --assign all', 'every MP3 under ~/Music, on both servers') as Argv<BuildArgs>,
    handler: (args) =>
      reporting(setExitCode, async () => {
        const out = resolve(args.out ?? resolve(args.folder, 'catalog.json'));
        if (existsSync(out) && !args.force) {
          throw new JukeboxError('E_BAD_ARGUMENT', `${out} already exists`, { hint: 'pass --force to overwrite it, or --out another file' });
        }
        const assign: ServerAssignment = args.assign;
        const { catalog, skipped } = await buildCatalogFromFolder(args.folder, { servers: localServers(args.servers), assign, catalogFile: out });
        for (const skip of skipped) printError(`warning: skipped ${skip.file}: ${skip.reason}`);
        if (args.strict && skipped.length > 0) {
          printError(`error: ${skipped.length} file(s) could not be read; nothing written (--strict)`);
          setExitCode(EXIT.FAILED);
          return;
        }
        await writeFileAtomically(out, `${JSON.stringify(catalog, null, 2)}\n`);
        const skippedNote = skipped.length > 0 ? `, ${skipped.length} file(s) skipped` : '';
        print(`wrote ${out}: ${catalog.songs.length} songs on ${catalog.servers.length} server(s)${skippedNote}, catalog version ${catalogVersion(catalog)}`);
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

function verifyCommand(setExitCode: SetExitCode): CommandModule<object, CatalogArgs> {
  return {
    command: 'verify',
    describe: "Check every song file's size and sha256 against the catalog (generating missing cache files first); exit 1 on any mismatch",
    builder: (yargs) => catalogOption(yargs),
    handler: (args) =>
      reporting(setExitCode, async () => {
        const loaded = loadCatalog(args.catalog);
        const files = await resolveLibrary(loaded, { requireUserFiles: false });
        const mismatches = await verifyLibrary(loaded, files);
        for (const mismatch of mismatches) printError(`mismatch: ${describeMismatch(mismatch)}`);
        if (mismatches.length > 0) {
          printError(`${mismatches.length} of ${files.size} song files do not match ${loaded.path}`);
          setExitCode(EXIT.FAILED);
          return;
        }
        print(`ok: all ${files.size} song files match ${loaded.path} (catalog version ${loaded.version})`);
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
        describe: "rewrite bytes and sha256 of every generated song in the catalog file to those of the generated MP3 (other fields and formatting kept)",
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

/** Runs a handler, turning its errors into a printed report and an exit code (2 for bad arguments). */
async function reporting(setExitCode: SetExitCode, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (err) {
    reportError(err);
    setExitCode(isJukeboxError(err, 'E_BAD_ARGUMENT') ? EXIT.USAGE : EXIT.FAILED);
  }
}

