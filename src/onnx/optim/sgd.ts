// SGD with momentum and Nesterov momentum, in PyTorch's form (no dampening):
// b ← μ b + g,  p ← p - lr (g + μ b) with Nesterov, p ← p - lr b without.
import * as op from '../ops/index.ts';
import { checkInputs, type Hyper, hyper, type Optimizer } from './optimizer.ts';

export interface SgdOptions {
  momentum?: Hyper;
  nesterov?: boolean;
  /** L2 penalty added to the gradient (coupled weight decay) */
  weightDecay?: Hyper;
}

export function sgd({ momentum = 0, nesterov = false, weightDecay = 0 }: SgdOptions = {}): Optimizer {
  const hasMomentum = typeof momentum !== 'number' || momentum !== 0;
  if (nesterov && !hasMomentum) throw new Error('sgd: Nesterov momentum needs a non-zero momentum');
  const slots = hasMomentum ? ['momentum'] : [];
  return {
    name: nesterov ? 'sgd-nesterov' : 'sgd',
    slots,
    update(_g, inputs) {
      checkInputs('sgd', inputs, slots.length);
      const { params, grads, state, lr } = inputs;
      const out = params.map((p, i) => {
        let grad = grads[i];
        if (typeof weightDecay !== 'number' || weightDecay !== 0) {
          grad = op.add(grad, op.mul(p, hyper(weightDecay, p)));
        }
        if (!hasMomentum) return { param: op.sub(p, op.mul(grad, hyper(lr, p))), state: [] };
        const mu = hyper(momentum, p);
        const buffer = op.add(op.mul(state[i][0], mu), grad);
        const direction = nesterov ? op.add(grad, op.mul(buffer, mu)) : buffer;
        return { param: op.sub(p, op.mul(direction, hyper(lr, p))), state: [buffer] };
      });
      return { params: out.map((o) => o.param), state: out.map((o) => o.state) };
    },
  };
}
