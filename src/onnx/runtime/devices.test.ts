import assert from 'node:assert/strict';
import os from 'node:os';
import { test } from 'node:test';
import {
  DeviceUnavailable,
  executionProviders,
  probeDevices,
  probeProvider,
  resolveDevice,
} from './devices.ts';

test('the probe reports every provider with a reason, and caches it', async (t) => {
  const probe = await probeDevices();
  for (const p of probe.providers) {
    t.diagnostic(
      `${p.provider}: listed=${p.listed} bundled=${p.bundled} works=${p.works} software=${p.software} (${p.ms} ms) ${p.reason}`,
    );
  }
  assert.deepEqual(
    probe.providers.map((p) => p.provider),
    [...executionProviders],
  );
  const cpu = probe.providers.find((p) => p.provider === 'cpu')!;
  assert.equal(cpu.works, true, cpu.reason);
  for (const p of probe.providers) {
    assert.ok(p.reason.length > 0, `${p.provider} has a reason`);
    if (!p.listed) assert.equal(p.works, false);
  }
  assert.equal(probe.cores, os.availableParallelism());
  assert.equal(await probeProvider('webgpu'), await probeProvider('webgpu'), 'probed once per process');
});

test('auto picks a working provider and says why; a named provider that does not work is refused', async (t) => {
  const auto = await resolveDevice('auto');
  t.diagnostic(`auto -> ${auto.provider}, ${auto.threads} threads: ${auto.reason}`);
  assert.equal(auto.threads, os.availableParallelism());
  assert.match(auto.reason, /^auto: /);
  const chosen = await probeProvider(auto.provider);
  assert.equal(chosen.works, true);
  if (auto.provider === 'cpu') assert.match(auto.reason, /no GPU provider works here/);

  assert.equal((await resolveDevice('cpu', { threads: 3 })).threads, 3);
  await assert.rejects(resolveDevice('cpu', { threads: 0 }), /threads must be a positive integer/);
  const broken = (await probeDevices()).providers.find((p) => !p.works);
  if (broken) {
    await assert.rejects(resolveDevice(broken.provider), (error: unknown) => {
      assert.ok(error instanceof DeviceUnavailable);
      assert.equal(error.reason, broken.reason);
      return true;
    });
  }
});
