// `jukebox serve` (to be written).
import type { CommandModule } from 'yargs';

export function serveCommand(_setExitCode: (code: number) => void): CommandModule {
  return {
    command: 'serve',
    describe: '(serve: not yet written)',
    handler: () => {
      throw new Error('jukebox serve is not written yet');
    },
  };
}
