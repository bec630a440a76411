// Real MP3s made by real encoders at test time (never committed): from a synthesized 12 s WAV
// (sox: a quiet tone, then loud noise), ffmpeg's libmp3lame makes a CBR song with a ~440 KB embedded cover (APIC), a VBR song
// without a Xing header (-write_xing 0), a VBR song with Xing and an ID3v1 tag, and a truncated
// copy of that one; plus the WAV itself renamed .mp3. Kept in the git-ignored .cache/ and made
// once per machine (atomically: test files running at once may both ask).
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../../src/util/paths.js';

export const FIXTURE_SECONDS = 12;
/** Bump when the recipe changes: a new folder, not stale files. */
const RECIPE = 'v2';
const DIR = join(packageRoot, '.cache', `mp3-fixtures-${RECIPE}`);

export interface Mp3Fixtures {
  dir: string;
  /** CBR 128 kbps, ID3v2.3 with a ~440 KB cover before the audio, Info header. */
  cover: string;
  /** VBR (-q:a 4) without any Xing/VBRI header. */
  vbrNoXing: string;
  /** VBR with a Xing header and an ID3v1 tag at the end. */
  vbrXing: string;
  /** vbrXing cut to 40 %: its Xing header promises frames it no longer holds. */
  truncated: string;
  /** The source WAV, renamed .mp3. */
  renamedWav: string;
}

/** The tools these tests need that are missing, and how to get them. */
export function missingTools(tools: readonly string[]): string[] {
  return tools.filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);
}
export function installHint(tools: readonly string[]): string {
  const packages = new Set(tools.map((t) => (t === 'ffprobe' ? 'ffmpeg' : t)));
  return `skipped: needs ${tools.join(', ')}; install with: sudo apt-get install ${[...packages].join(' ')}`;
}

export function mp3Fixtures(): Mp3Fixtures {
  const files: Mp3Fixtures = {
    dir: DIR,
    cover: join(DIR, 'cover.mp3'),
    vbrNoXing: join(DIR, 'vbr-no-xing.mp3'),
    vbrXing: join(DIR, 'vbr-xing-id3v1.mp3'),
    truncated: join(DIR, 'truncated-vbr.mp3'),
    renamedWav: join(DIR, 'renamed-wav.mp3'),
  };
  if (existsSync(join(DIR, 'done'))) return files;
  const work = `${DIR}.tmp-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { cwd: work, stdio: ['ignore', 'ignore', 'pipe'] });
  // A quiet tone, then loud noise: VBR frames are small in the first half and large in the
  // second, so pacing at the average bitrate would send the second half slower than it plays.
  const half = String(FIXTURE_SECONDS / 2);
  run('sox', ['-n', '-r', '44100', '-c', '2', 'quiet.wav', 'synth', half, 'sine', '440', 'vol', '0.05']);
  run('sox', ['-n', '-r', '44100', '-c', '2', 'loud.wav', 'synth', half, 'whitenoise', 'vol', '0.6']);
  run('sox', ['quiet.wav', 'loud.wav', 'src.wav']);
  // Random pixels do not compress: a JPEG of about 440 KB.
  run('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'nullsrc=s=640x640,geq=random(1)*255:random(1)*255:random(1)*255',
    '-frames:v',
    '1',
    '-q:v',
    '2',
    'cover.jpg',
  ]);
  const lame = ['-c:a', 'libmp3lame', '-metadata', 'title=Fixture', '-metadata', 'artist=Test Encoder'];
  run('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-i',
    'src.wav',
    '-i',
    'cover.jpg',
    '-map',
    '0:a',
    '-map',
    '1:v',
    ...lame,
    '-b:a',
    '128k',
    '-c:v',
    'copy',
    '-id3v2_version',
    '3',
    '-metadata:s:v',
    'comment=Cover (front)',
    'cover.mp3',
  ]);
  run('ffmpeg', ['-v', 'error', '-y', '-i', 'src.wav', ...lame, '-q:a', '4', '-write_xing', '0', 'vbr-no-xing.mp3']);
  run('ffmpeg', ['-v', 'error', '-y', '-i', 'src.wav', ...lame, '-q:a', '4', '-write_id3v1', '1', 'vbr-xing-id3v1.mp3']);
  const whole = readFileSync(join(work, 'vbr-xing-id3v1.mp3'));
  writeFileSync(join(work, 'truncated-vbr.mp3'), whole.subarray(0, Math.floor(whole.length * 0.4)));
  copyFileSync(join(work, 'src.wav'), join(work, 'renamed-wav.mp3'));
  writeFileSync(join(work, 'done'), '');
  try {
    renameSync(work, DIR);
  } catch {
    rmSync(work, { recursive: true, force: true }); // another test file made them first
  }
  return files;
}

/** ffprobe's view of a file: the container's duration and the audio packets (= MP3 frames) it counted. */
export function ffprobe(file: string): { durationSec: number; packets: number; sampleRate: number } {
  const out = execFileSync(
    'ffprobe',
    ['-v', 'error', '-count_packets', '-select_streams', 'a:0', '-show_entries', 'stream=nb_read_packets,sample_rate:format=duration', '-of', 'json', file],
    { encoding: 'utf8' },
  );
  const parsed = JSON.parse(out) as { streams: Array<{ nb_read_packets: string; sample_rate: string }>; format: { duration: string } };
  const stream = parsed.streams[0];
  if (!stream) throw new Error(`ffprobe found no audio stream in ${file}`);
  return { durationSec: Number(parsed.format.duration), packets: Number(stream.nb_read_packets), sampleRate: Number(stream.sample_rate) };
}
