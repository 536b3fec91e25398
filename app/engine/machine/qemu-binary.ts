// QEMU's binaries: $COVE_QEMU_DIR, the app's resources (packaged builds carry
// QEMU as extraResources/qemu), else PATH.
import fs from 'node:fs';
import path from 'node:path';
import { EngineError } from '../errors.js';

const EXE = process.platform === 'win32' ? '.exe' : '';

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

export function findQemu(env: NodeJS.ProcessEnv = process.env): { qemu: string; qemuImg: string } {
  const system = `qemu-system-${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}${EXE}`;
  const img = `qemu-img${EXE}`;
  const resources = (process as NodeJS.Process & { resourcesPath?: string }).resourcesPath;
  const dirs = [env.COVE_QEMU_DIR, resources ? path.join(resources, 'qemu') : undefined].filter((d): d is string => !!d);
  for (const d of dirs) {
    if (fs.existsSync(path.join(d, system)) && fs.existsSync(path.join(d, img))) return { qemu: path.join(d, system), qemuImg: path.join(d, img) };
  }
  const qemu = onPath(system);
  const qemuImg = onPath(img);
  if (!qemu || !qemuImg) throw new EngineError('E_QEMU_MISSING', `${!qemu ? system : img} not found: install QEMU (sudo apt-get install qemu-system-x86 qemu-utils)`);
  return { qemu, qemuImg };
}
