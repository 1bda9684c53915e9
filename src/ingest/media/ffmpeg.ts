import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { z } from 'zod';
import { ImportCancelled, type Importer, InputError } from '../types.ts';
import { collectMediaFiles } from './media-files.ts';
import { MediaWriter } from './media-writer.ts';
import { onCorruptOption, readOrSkip } from './unreadable.ts';

const VIDEO_EXTENSIONS = ['.mp4', '.m4v', '.mov', '.avi', '.mkv', '.webm'];

const options = z.object({
  /** keep only the first N frames of each clip (long videos decode to gigabytes of raw pixels) */
  maxFrames: z.number().int().positive().optional(),
  /** 'fail' stops at the first unreadable video; 'skip' imports the rest and notes what was skipped */
  onCorrupt: onCorruptOption,
});

export class ToolMissing extends Error {
  constructor(tool: string) {
    super(
      `${tool} was not found on PATH; video files are decoded with FFmpeg: install it ` +
        '(Debian/Ubuntu: apt install ffmpeg; macOS: brew install ffmpeg; Windows: winget install ffmpeg) and try again',
    );
    this.name = 'ToolMissing';
  }
}

/** Looks an executable up in a PATH string (taken as a parameter so a test can pass an empty one). */
export function findExecutable(name: string, searchPath: string | undefined): string | null {
  const names = process.platform === 'win32' ? [`${name}.exe`, name] : [name];
  for (const dir of (searchPath ?? '').split(delimiter)) {
    if (!dir) continue;
    for (const candidate of names) {
      const path = join(dir, candidate);
      try {
        if (!statSync(path).isFile()) continue;
        accessSync(path, constants.X_OK);
        return path;
      } catch {}
    }
  }
  return null;
}

export interface FfmpegTools {
  ffmpeg: string;
  ffprobe: string;
}

export function requireFfmpeg(searchPath: string | undefined): FfmpegTools {
  const ffmpeg = findExecutable('ffmpeg', searchPath);
  if (!ffmpeg) throw new ToolMissing('ffmpeg');
  const ffprobe = findExecutable('ffprobe', searchPath);
  if (!ffprobe) throw new ToolMissing('ffprobe');
  return { ffmpeg, ffprobe };
}

/** Runs a tool, collecting stdout; an aborted signal kills it and throws ImportCancelled. */
function runTool(
  command: string,
  args: string[],
  signal: AbortSignal,
): Promise<{ stdout: Buffer; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new ImportCancelled());
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    const abort = () => child.kill('SIGKILL');
    signal.addEventListener('abort', abort, { once: true });
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', (error) => {
      signal.removeEventListener('abort', abort);
      reject(error);
    });
    child.on('close', (code) => {
      signal.removeEventListener('abort', abort);
      if (signal.aborted) reject(new ImportCancelled());
      else resolve({ stdout: Buffer.concat(out), stderr: stderr.trim(), code });
    });
  });
}

export interface VideoProbe {
  /** displayed size: the stored size with a 90/270 degree rotation applied, as ffmpeg decodes it */
  width: number;
  height: number;
  fps: number | null;
}

const rate = (text: string | undefined): number | null => {
  const [num, den] = (text ?? '').split('/').map(Number);
  return num > 0 && den > 0 ? num / den : null;
};

export async function probeVideo(tools: FfmpegTools, file: string, signal: AbortSignal): Promise<VideoProbe> {
  const args = ['-v', 'error', '-select_streams', 'v:0', '-show_streams', '-of', 'json', file];
  const { stdout, stderr, code } = await runTool(tools.ffprobe, args, signal);
  const stream = code === 0 ? JSON.parse(stdout.toString()).streams?.[0] : undefined;
  if (!stream?.width || !stream?.height) {
    throw new InputError(
      file,
      null,
      null,
      `has no readable video stream (ffprobe: ${stderr || `exit ${code}`})`,
    );
  }
  const rotation = Number(
    stream.side_data_list?.find((d: { rotation?: number }) => d.rotation != null)?.rotation ??
      stream.tags?.rotate ??
      0,
  );
  const quarterTurn = Math.abs(rotation) % 180 === 90;
  return {
    width: quarterTurn ? stream.height : stream.width,
    height: quarterTurn ? stream.width : stream.height,
    fps: rate(stream.avg_frame_rate) ?? rate(stream.r_frame_rate),
  };
}

/** Decodes a video to a raw u8 RGB tensor [frames, h, w, 3] through `ffmpeg -f rawvideo -pix_fmt rgb24`. */
export async function decodeVideo(
  tools: FfmpegTools,
  file: string,
  probe: VideoProbe,
  signal: AbortSignal,
  maxFrames?: number,
): Promise<{ pixels: Buffer; frames: number }> {
  const limit = maxFrames != null ? ['-frames:v', String(maxFrames)] : [];
  const args = [
    '-v',
    'error',
    '-nostdin',
    '-i',
    file,
    '-map',
    '0:v:0',
    ...limit,
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    '-',
  ];
  const { stdout, stderr, code } = await runTool(tools.ffmpeg, args, signal);
  const frameBytes = probe.width * probe.height * 3;
  if (code !== 0)
    throw new InputError(file, null, null, `ffmpeg could not decode it: ${stderr || `exit ${code}`}`);
  if (stdout.length === 0 || stdout.length % frameBytes !== 0) {
    throw new InputError(
      file,
      null,
      null,
      `ffmpeg produced ${stdout.length} bytes, not a whole number of ${probe.width}x${probe.height} RGB frames`,
    );
  }
  return { pixels: stdout, frames: stdout.length / frameBytes };
}

/**
 * Video files (MP4/AVI/MKV/WebM/MOV) decoded by the `ffmpeg` found on PATH into raw RGB frames,
 * `raw-u8` [frames, h, w, 3], one `clip` entity per file; class from the folder when the layout is
 * folder-per-class; fps kept as an attribute.
 */
export const ffmpegImporter: Importer = {
  format: 'ffmpeg',
  kind: 'videos',
  description: 'video files (MP4/AVI/MKV/WebM/MOV) decoded with the ffmpeg found on PATH',
  async detect(paths) {
    const files = await collectMediaFiles(paths, VIDEO_EXTENSIONS).catch(() => []);
    return files.length > 0;
  },
  async run(paths, ctx) {
    const { maxFrames, onCorrupt } = options.parse(ctx.options);
    const sources = await collectMediaFiles(paths, VIDEO_EXTENSIONS);
    const tools = requireFfmpeg(process.env.PATH);
    const writer = new MediaWriter(
      ctx,
      'clip',
      sources.reduce((sum, source) => sum + source.size, 0),
    );
    for (const { path, key, classLabel, size } of sources) {
      writer.checkCancelled();
      const read = await readOrSkip(ctx, onCorrupt, async () => {
        const probe = await probeVideo(tools, path, ctx.signal);
        return { probe, ...(await decodeVideo(tools, path, probe, ctx.signal, maxFrames)) };
      });
      if (!read) {
        writer.advance(size, path);
        continue;
      }
      const { probe, pixels, frames } = read;
      writer.add(
        { key, classLabel, attributes: { fps: probe.fps } },
        {
          key,
          bytes: pixels,
          encoding: 'raw-u8',
          width: probe.width,
          height: probe.height,
          channels: 3,
          frames,
        },
      );
      writer.advance(size, path);
    }
    writer.finish(paths.join(', '));
  },
};
