import { simclrAugmentation } from '../../models/vision/augment.ts';
import { previewAugmentedPairs } from '../../models/vision/preview.ts';
import { openWorkspace } from '../../workspace/workspace.ts';
import type { Handler } from '../handler.ts';
import { ApiError } from '../schema/errors.ts';

/** In the caller's thread: a page of small images and a few views take milliseconds. */
export const augmentPreview: Handler<'images.augment-preview'> = async (input, { workspace }) => {
  const ws = openWorkspace(workspace, { readonly: true });
  try {
    const augmentation = input.augmentation ?? simclrAugmentation(input.strength);
    const preview = await previewAugmentedPairs(ws, { ...input, augmentation });
    return { ...preview, augmentation };
  } catch (error) {
    if (error instanceof Error && error.name === 'ImageDatasetError') {
      throw new ApiError({ code: 'refused', message: error.message, command: 'images.augment-preview' });
    }
    throw error;
  } finally {
    ws.close();
  }
};
