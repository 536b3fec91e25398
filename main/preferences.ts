// Desktop preferences and the last run (for the tray's "Run again"), kept in
// Electron's userData as JSON; written temp + rename so a crash mid-write
// leaves the old file.
import fs from 'node:fs';
import path from 'node:path';
import type { DesktopPreferences, RunOptions } from '../app/api/contract.js';

export interface StoredPreferences extends DesktopPreferences {
  lastRun: RunOptions | null;
}

export const DEFAULT_PREFERENCES: StoredPreferences = { openAtLogin: false, notifications: true, lastRun: null };

export class PreferencesFile {
  private value: StoredPreferences;
  constructor(private readonly file: string) {
    this.value = { ...DEFAULT_PREFERENCES };
    try {
      const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<StoredPreferences>;
      if (typeof raw.openAtLogin === 'boolean') this.value.openAtLogin = raw.openAtLogin;
      if (typeof raw.notifications === 'boolean') this.value.notifications = raw.notifications;
      if (raw.lastRun && typeof raw.lastRun === 'object' && typeof raw.lastRun.image === 'string') this.value.lastRun = raw.lastRun;
    } catch {
      // First run or an unreadable file: defaults.
    }
  }

  get(): StoredPreferences {
    return { ...this.value };
  }

  update(change: Partial<StoredPreferences>): StoredPreferences {
    this.value = { ...this.value, ...change };
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    fs.writeFileSync(`${this.file}.tmp`, JSON.stringify(this.value));
    fs.renameSync(`${this.file}.tmp`, this.file);
    return this.get();
  }
}
