// LARS (You et al. 2017) as SimCLR trains with it: per layer, the learning rate is scaled by the
// trust ratio η‖w‖ / ‖g + λw‖, then applied through momentum. Biases and BatchNorm parameters
// get neither the trust ratio nor weight decay.
import * as op from '../ops/index.ts';
import {
  checkInputs,
  type Hyper,
  hyper,
  matricesOnly,
  norm,
  type Optimizer,
  type ParameterMask,
} from './optimizer.ts';

export interface LarsOptions {
  momentum?: Hyper;
  weightDecay?: Hyper;
  /** η, the trust coefficient */
  trustCoefficient?: Hyper;
  nesterov?: boolean;
  /** parameters that get the trust ratio and weight decay; default matrices and larger */
  adapt?: ParameterMask;
}

export function lars({
  momentum = 0.9,
  weightDecay = 0,
  trustCoefficient = 0.001,
  nesterov = false,
  adapt = matricesOnly,
}: LarsOptions = {}): Optimizer {
  const slots = ['momentum'];
  return {
    name: 'lars',
    slots,
    update(g, inputs) {
      checkInputs('lars', inputs, slots.length);
      const { params, grads, state, lr } = inputs;
      const out = params.map((p, i) => {
        let grad = grads[i];
        let rate: op.Operand = hyper(lr, p);
        if (adapt(p)) {
          grad = op.add(grad, op.mul(p, hyper(weightDecay, p)));
          const weightNorm = norm(p);
          const gradNorm = norm(grad);
          // a zero weight or gradient norm leaves the rate alone, as in SimCLR's implementation
          const defined = op.greater(op.mul(weightNorm, gradNorm), 0);
          const ratio = op.div(op.mul(weightNorm, hyper(trustCoefficient, p)), gradNorm);
          rate = op.mul(op.where(defined, ratio, g.scalar(1, p.dtype)), rate);
        }
        const mu = hyper(momentum, p);
        const scaled = op.mul(grad, rate);
        const velocity = op.add(op.mul(state[i][0], mu), scaled);
        const step = nesterov ? op.add(op.mul(velocity, mu), scaled) : velocity;
        return { param: op.sub(p, step), state: [velocity] };
      });
      return { params: out.map((o) => o.param), state: out.map((o) => o.state) };
    },
  };
}
