// The pictures of image and video datasets as pages show them: one entity's image, or a clip's
// first frame, small enough for a tooltip. A data URL in the result, so the same JSON answer works
// over the serve-mode WebSocket and Electron IPC.
import { z } from 'zod';

export const mediaCommands = {
  'media.thumbnail': {
    description:
      "One entity's image, or its clip's first frame, scaled down to at most 128 pixels a side, as a data URL",
    input: z.object({ entity: z.number().int().positive() }),
    output: z.object({
      entity: z.number().int(),
      key: z.string(),
      /** data:image/png;base64,... (or the stored JPEG/WebP bytes as they are) */
      url: z.string(),
      /** the thumbnail's size */
      width: z.number().int(),
      height: z.number().int(),
      /** what is stored: the image's size, and 1 frame for an image or the clip's frames */
      source: z.object({ width: z.number().int(), height: z.number().int(), frames: z.number().int() }),
    }),
    progress: z.never(),
  },
} as const;
