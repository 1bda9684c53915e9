// SwiftShader's Vulkan driver (shipped by Chromium builds) lets the WebGPU provider run on a
// machine without a GPU: the same onnxruntime code path, on the CPU. The Vulkan loader reads
// VK_ICD_FILENAMES when the first WebGPU session creates its adapter, so a test process points
// it at SwiftShader before touching WebGPU. Mesa's lavapipe (Debian 12) is too old for Dawn.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

/** Where Chromium builds put the driver manifest (Debian/Ubuntu, Fedora, Chrome, snap, Electron). */
function candidates(): string[] {
  const list = [
    '/usr/lib/chromium/vk_swiftshader_icd.json',
    '/usr/lib/chromium-browser/vk_swiftshader_icd.json',
    '/usr/lib64/chromium-browser/vk_swiftshader_icd.json',
    '/opt/google/chrome/vk_swiftshader_icd.json',
    '/snap/chromium/current/usr/lib/chromium-browser/vk_swiftshader_icd.json',
  ];
  try {
    const electron = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
    list.push(path.join(electron, 'dist', 'vk_swiftshader_icd.json'));
  } catch {
    // electron is a dev dependency; without it there is one place fewer to look
  }
  return list;
}

/** A SwiftShader ICD manifest whose library is present, or null (with the places looked at). */
export function findSwiftShaderIcd(): { icd: string | null; searched: string[] } {
  const searched = candidates();
  const icd =
    searched.find((file) => {
      if (!existsSync(file)) return false;
      try {
        const manifest = JSON.parse(readFileSync(file, 'utf8')) as { ICD?: { library_path?: string } };
        const library = manifest.ICD?.library_path;
        return !!library && existsSync(path.resolve(path.dirname(file), library));
      } catch {
        return false;
      }
    }) ?? null;
  return { icd, searched };
}

export interface SwiftShader {
  icd: string;
  /** removes the temporary XDG_RUNTIME_DIR */
  cleanup(): void;
}

/**
 * Points this process's Vulkan loader at SwiftShader (call before the first WebGPU session).
 * Returns null with the searched paths when no Chromium build is installed.
 */
export function pointVulkanAtSwiftShader(): SwiftShader | { icd: null; searched: string[] } {
  const found = findSwiftShaderIcd();
  if (!found.icd) return { icd: null, searched: found.searched };
  const runtimeDir = mkdtempSync(path.join(os.tmpdir(), 'constellation-xdg-'));
  process.env.VK_ICD_FILENAMES = found.icd;
  process.env.XDG_RUNTIME_DIR = runtimeDir;
  return { icd: found.icd, cleanup: () => rmSync(runtimeDir, { recursive: true, force: true }) };
}
