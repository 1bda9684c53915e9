// Adam (Kingma & Ba) with bias correction from the step, and AdamW (Loshchilov & Hutter), whose
// weight decay shrinks the parameter directly instead of passing through the moments.
import * as op from '../ops/index.ts';
import {
  checkInputs,
  type Hyper,
  hyper,
  matricesOnly,
  type Optimizer,
  oneMinus,
  type ParameterMask,
  times,
} from './optimizer.ts';

export interface AdamOptions {
  beta1?: Hyper;
  beta2?: Hyper;
  eps?: Hyper;
  /** Adam: L2 penalty added to the gradient. AdamW: decoupled decay p ← p (1 - lr λ). */
  weightDecay?: Hyper;
}

export interface AdamWOptions extends AdamOptions {
  /** parameters that decay; default matrices only (no biases, LayerNorm or BatchNorm parameters) */
  decay?: ParameterMask;
}

export function adam(options: AdamOptions = {}): Optimizer {
  return adamFamily('adam', options, 'coupled', () => true);
}

export function adamw({ decay = matricesOnly, ...options }: AdamWOptions = {}): Optimizer {
  return adamFamily('adamw', { weightDecay: 0.01, ...options }, 'decoupled', decay);
}

function adamFamily(
  name: string,
  { beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay = 0 }: AdamOptions,
  decayKind: 'coupled' | 'decoupled',
  decays: ParameterMask,
): Optimizer {
  const slots = ['m', 'v'];
  const hasDecay = typeof weightDecay !== 'number' || weightDecay !== 0;
  return {
    name,
    slots,
    update(_g, inputs) {
      checkInputs(name, inputs, slots.length);
      const { params, grads, state, lr, step } = inputs;
      const out = params.map((p, i) => {
        const decayed = hasDecay && decays(p);
        const b1 = hyper(beta1, p);
        const b2 = hyper(beta2, p);
        const t = op.cast(step, p.dtype);
        let grad = grads[i];
        if (decayed && decayKind === 'coupled') grad = op.add(grad, op.mul(p, hyper(weightDecay, p)));
        const m = op.add(op.mul(state[i][0], b1), op.mul(grad, oneMinus(b1)));
        const v = op.add(op.mul(state[i][1], b2), op.mul(op.mul(grad, grad), oneMinus(b2)));
        const mHat = op.div(m, op.sub(1, op.pow(b1, t)));
        const vHat = op.div(v, op.sub(1, op.pow(b2, t)));
        const rate = hyper(lr, p);
        const shrunk =
          decayed && decayKind === 'decoupled' ? op.mul(p, oneMinus(times(rate, hyper(weightDecay, p)))) : p;
        const param = op.sub(shrunk, op.mul(op.div(mHat, op.add(op.sqrt(vHat), hyper(eps, p))), rate));
        return { param, state: [m, v] };
      });
      return { params: out.map((o) => o.param), state: out.map((o) => o.state) };
    },
  };
}
