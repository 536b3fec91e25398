// Window size and position remembered across runs. The pure part decides
// where to put the window given the saved bounds and today's displays (a
// monitor may have been unplugged since), so it is unit-tested.
import fs from 'node:fs';
import path from 'node:path';

export interface Bounds {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState {
  bounds: Bounds;
  maximized: boolean;
}

export const DEFAULT_SIZE = { width: 1180, height: 760 };
export const MIN_SIZE = { width: 760, height: 480 };

function isBounds(v: unknown): v is Bounds {
  if (typeof v !== 'object' || v === null) return false;
  const b = v as Record<string, unknown>;
  return ['x', 'y', 'width', 'height'].every((k) => typeof b[k] === 'number' && Number.isFinite(b[k]));
}

export function parseWindowState(text: string): WindowState | null {
  try {
    const v = JSON.parse(text) as { bounds?: unknown; maximized?: unknown };
    return isBounds(v.bounds) ? { bounds: v.bounds, maximized: v.maximized === true } : null;
  } catch {
    return null;
  }
}

function overlap(a: Bounds, b: Bounds): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/**
 * The saved bounds if they still land on a display (fitted into it), else
 * only the saved size, centred by Electron. `workAreas` are the displays'
 * work areas (screen.getAllDisplays()).
 */
export function placeWindow(saved: WindowState | null, workAreas: Bounds[]): { bounds: Partial<Bounds>; maximized: boolean } {
  if (!saved) return { bounds: { ...DEFAULT_SIZE }, maximized: false };
  const width = Math.max(MIN_SIZE.width, Math.round(saved.bounds.width));
  const height = Math.max(MIN_SIZE.height, Math.round(saved.bounds.height));
  const wanted = { ...saved.bounds, width, height };
  const best = workAreas.map((area) => ({ area, shared: overlap(wanted, area) })).sort((a, b) => b.shared - a.shared)[0];
  // Less than a title bar's worth visible: the display is gone or moved.
  if (!best || best.shared < 48 * 48) return { bounds: { width, height }, maximized: saved.maximized };
  const { area } = best;
  const w = Math.min(width, area.width);
  const h = Math.min(height, area.height);
  const x = Math.min(Math.max(wanted.x, area.x), area.x + area.width - w);
  const y = Math.min(Math.max(wanted.y, area.y), area.y + area.height - h);
  return { bounds: { x, y, width: w, height: h }, maximized: saved.maximized };
}

export function readWindowState(file: string): WindowState | null {
  try {
    return parseWindowState(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

export function writeWindowState(file: string, state: WindowState): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(state));
  fs.renameSync(tmp, file);
}
