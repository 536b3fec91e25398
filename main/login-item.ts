// Start at login. Electron's app.setLoginItemSettings works on macOS and
// Windows only; on Linux the XDG Autostart spec applies: a .desktop file in
// $XDG_CONFIG_HOME/autostart.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function autostartFile(env: NodeJS.ProcessEnv): string {
  const config = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(os.homedir(), '.config');
  return path.join(config, 'autostart', 'cove.desktop');
}

/** Exec quoting per the Desktop Entry spec: reserved characters need double quotes and escapes. */
function quoteExec(arg: string): string {
  if (!/[\s"'\\$`<>~|&;*?#()]/.test(arg)) return arg;
  return `"${arg.replace(/(["`$\\])/g, '\\$1')}"`;
}

export function autostartEntry(execArgs: string[]): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Cove',
    'Comment=Rootless containers, started in the tray',
    `Exec=${[...execArgs, '--hidden'].map(quoteExec).join(' ')}`,
    'Icon=cove',
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

export function setLinuxAutostart(enabled: boolean, execArgs: string[], env: NodeJS.ProcessEnv = process.env): void {
  const file = autostartFile(env);
  if (!enabled) {
    fs.rmSync(file, { force: true });
    return;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, autostartEntry(execArgs));
}

export function linuxAutostartEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return fs.existsSync(autostartFile(env));
}
