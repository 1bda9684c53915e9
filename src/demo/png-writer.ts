import sharp from 'sharp';

/** PNG encodes in flight at once: each costs libvips more in setup than in work, so overlap them. */
const inFlight = 32;

/** Writes greyscale PNGs concurrently; the content is fixed before the call, so the order of completion does not matter. */
export class PngWriter {
  private pending: Promise<unknown>[] = [];

  async write(pixels: Uint8Array, width: number, height: number, file: string): Promise<void> {
    this.pending.push(
      sharp(pixels, { raw: { width, height, channels: 1 } })
        .png()
        .toFile(file),
    );
    if (this.pending.length >= inFlight) await this.flush();
  }

  async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    await Promise.all(batch);
  }
}
