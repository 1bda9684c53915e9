import { thumbnailOf } from '../../ingest/media/thumbnail.ts';
import { openWorkspace } from '../../workspace/workspace.ts';
import type { Handler } from '../handler.ts';
import { ApiError } from '../schema/errors.ts';

/** In the caller's thread: one small image is read and, at most, scaled and encoded (milliseconds). */
export const mediaThumbnail: Handler<'media.thumbnail'> = async (input, { workspace }) => {
  const ws = openWorkspace(workspace, { readonly: true });
  try {
    const media = ws.media.get(input.entity);
    if (!media) {
      throw new ApiError({
        code: 'not-found',
        message: `entity ${input.entity} has no image or clip`,
        command: 'media.thumbnail',
      });
    }
    const thumbnail = await thumbnailOf(media);
    return {
      entity: media.entityId,
      key: media.key,
      url: `data:${thumbnail.mime};base64,${Buffer.from(thumbnail.bytes).toString('base64')}`,
      width: thumbnail.width,
      height: thumbnail.height,
      source: { width: media.width, height: media.height, frames: media.frames },
    };
  } finally {
    ws.close();
  }
};
