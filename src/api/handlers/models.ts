import { probeDevices } from '../../onnx/runtime/devices.ts';
import { trainableModels } from '../../training/catalog.ts';
import type { Handler } from '../handler.ts';

export const listModels: Handler<'models.list'> = async () => ({
  models: trainableModels.map((m) => m.descriptor),
});

/** Probed once per process: a provider's availability does not change while the server runs. */
export const probeDevicesCommand: Handler<'devices.probe'> = async () => {
  const probe = await probeDevices();
  return {
    ...probe,
    providers: probe.providers.map(({ provider, works, software, reason }) => ({
      provider,
      works,
      software,
      reason,
    })),
  };
};
