// One row of the video bench in its own process (forked by benchVideo), so the peak resident
// memory it reports belongs to that variant alone.
import { type BenchVariant, benchVideoVariant, type VideoBenchSizes } from './attention-bench.ts';

process.once('message', async (message) => {
  const { variant, sizes, options } = message as {
    variant: BenchVariant;
    sizes: VideoBenchSizes;
    options: { steps?: number; warmup?: number; threads?: number };
  };
  const row = await benchVideoVariant(variant, sizes, options);
  process.send!(row, () => process.disconnect());
});
