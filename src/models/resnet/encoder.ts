// A small ResNet (He et al. 2016) as SimCLR's encoder f(.) for CIFAR-size images (Chen et al. 2020,
// appendix B.9): a 3 x 3 stem without max pooling (stride 1 as the paper's, or 2 to halve every
// feature map), then stages of basic residual blocks (conv-BN-ReLU-conv-BN plus the shortcut, then
// ReLU), each stage after the first halving the side and doubling the width, and global average
// pooling. Its output h is the representation that SimCLR's projection head reads and that
// evaluation and the explorer use.
import type { Tensor } from '../../onnx/graph.ts';
import * as op from '../../onnx/ops/index.ts';
import { batchNormalisation, convolution, type Layers } from './layers.ts';

export interface ResnetShape {
  /** channels of the stem; stage i has width 2^i */
  width: number;
  stages: number;
  /** basic blocks per stage */
  blocks: number;
  /**
   * stride of the stem (default 1, the paper's CIFAR stem): 2 halves every feature map, which at
   * a quarter of the cost per pixel buys a wider network and so a wider h
   */
  stemStride?: number;
}

/** Width of the representation: the last stage's channels. */
export const representationWidth = (shape: ResnetShape) => shape.width * 2 ** (shape.stages - 1);

/**
 * One basic block: the shortcut is the input itself, or a strided 1 x 1 convolution with BatchNorm
 * where the block changes the side or the width (torchvision's "option B").
 */
export function basicBlock(
  layers: Layers,
  name: string,
  x: Tensor,
  channels: number,
  stride: number,
): Tensor {
  const conv1 = convolution(layers, `${name}/conv1`, x, { channels, kernel: 3, stride });
  const a = op.relu(batchNormalisation(layers, `${name}/bn1`, conv1));
  const conv2 = convolution(layers, `${name}/conv2`, a, { channels, kernel: 3, stride: 1 });
  const b = batchNormalisation(layers, `${name}/bn2`, conv2);
  const shortcut =
    stride === 1 && x.shape[1] === channels
      ? x
      : batchNormalisation(
          layers,
          `${name}/shortcut/bn`,
          convolution(layers, `${name}/shortcut/conv`, x, { channels, kernel: 1, stride }),
        );
  return op.relu(op.add(b, shortcut));
}

/** h [B, width 2^(stages-1)] of normalised pixels [B, C, H, W]. */
export function resnetEncoder(layers: Layers, pixels: Tensor, shape: ResnetShape): Tensor {
  return layers.g.scope('resnet', () => {
    const stem = convolution(layers, 'resnet/stem/conv', pixels, {
      channels: shape.width,
      kernel: 3,
      stride: shape.stemStride ?? 1,
    });
    let x = op.relu(batchNormalisation(layers, 'resnet/stem/bn', stem));
    for (let stage = 0; stage < shape.stages; stage++) {
      const channels = shape.width * 2 ** stage;
      for (let block = 0; block < shape.blocks; block++) {
        const stride = stage > 0 && block === 0 ? 2 : 1;
        x = basicBlock(layers, `resnet/stage${stage}/block${block}`, x, channels, stride);
      }
    }
    return op.reduceMean(x, [2, 3]);
  });
}
