import { runDoctor } from '../doctor.js';
import type { TaskRegistry } from '../tasks.js';
import type { SettingsStore } from '../settings.js';
import type { DomainHandlers } from './handler-types.js';

export function systemHandlers(scratch: string): DomainHandlers<'system'> {
  return {
    'system:doctor': async () => runDoctor(scratch),
  };
}

export function settingsHandlers(settings: SettingsStore): DomainHandlers<'settings'> {
  return {
    'settings:get': () => settings.read(),
    'settings:set': (p) => settings.update(p),
  };
}

export function taskHandlers(tasks: TaskRegistry): DomainHandlers<'tasks'> {
  return {
    'tasks:list': async () => tasks.list(),
    'tasks:cancel': async (p) => tasks.cancel(p.id),
  };
}
