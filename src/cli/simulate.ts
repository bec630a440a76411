// `simulate`: run a scenario (to be written).
export async function main(_argv: string[]): Promise<number> {
  process.stderr.write('simulate is not written yet\n');
  return 1;
}
