import { EngineError } from './errors.js';

export type ImageChanges = Partial<{ Cmd: string[]; Entrypoint: string[]; Env: string[]; WorkingDir: string; User: string }>;

const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** `docker import --change`: Dockerfile lines CMD/ENTRYPOINT (exec or shell form), ENV, WORKDIR, USER. */
export function parseImageChanges(lines: string[]): ImageChanges {
  const into: ImageChanges = {};
  for (const text of lines) {
    const m = /^\s*([A-Za-z]+)\s+(.*)$/s.exec(text);
    if (!m) throw new EngineError('E_INVALID_ARGUMENT', `--change "${text}" is not INSTRUCTION ARGS`);
    const instr = (m[1] ?? '').toUpperCase();
    const arg = (m[2] ?? '').trim();
    const list = (): string[] => {
      if (arg.startsWith('[')) {
        try {
          const v = JSON.parse(arg) as unknown;
          if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
        } catch {
          // Not JSON: the shell form, as the Dockerfile reference says.
        }
      }
      return ['/bin/sh', '-c', arg];
    };
    switch (instr) {
      case 'CMD':
        into.Cmd = list();
        break;
      case 'ENTRYPOINT':
        into.Entrypoint = list();
        break;
      case 'ENV': {
        const kv = arg.includes('=') ? arg : arg.replace(/\s+/, '=');
        into.Env = [...(into.Env ?? [DEFAULT_PATH]), kv];
        break;
      }
      case 'WORKDIR':
        into.WorkingDir = arg;
        break;
      case 'USER':
        into.User = arg;
        break;
      default:
        throw new EngineError('E_INVALID_ARGUMENT', `--change ${instr} is not supported (CMD, ENTRYPOINT, ENV, WORKDIR, USER are)`);
    }
  }
  return into;
}
