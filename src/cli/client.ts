// `jukebox client` (to be written).
import type { CommandModule } from 'yargs';

export function clientCommand(_setExitCode: (code: number) => void): CommandModule {
  return {
    command: 'client',
    describe: '(client: not yet written)',
    handler: () => {
      throw new Error('jukebox client is not written yet');
    },
  };
}
