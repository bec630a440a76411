// `jukebox catalog` (to be written).
import type { CommandModule } from 'yargs';

export function catalogCommand(_setExitCode: (code: number) => void): CommandModule {
  return {
    command: 'catalog',
    describe: '(catalog: not yet written)',
    handler: () => {
      throw new Error('jukebox catalog is not written yet');
    },
  };
}
