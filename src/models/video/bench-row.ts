// One row's timing of the video bench in its own process (forked by benchVideo), so the peak
// resident memory it reports belongs to that variant alone.
import { type BenchModel, type TimingOptions, timeVideoModel } from './bench.ts';

process.once('message', async (message) => {
  const { model, options } = message as { model: BenchModel; options: TimingOptions };
  const result = await timeVideoModel(model, options).catch((error: Error) => ({ error: error.message }));
  process.send!(result, () => process.disconnect());
});
