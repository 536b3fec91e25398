// The start of every build suite: a sandbox with busybox loaded and a
// directory beside its home for build contexts (the test user reads both),
// made before the file's tests and removed after them.
import fs from 'node:fs';
import path from 'node:path';
import { after, before } from 'node:test';
import { busyboxSandbox, started, type CoveSandbox } from './harness.js';

export interface BuildSandbox {
  readonly sb: CoveSandbox;
  /** The directory for this file's build contexts. */
  readonly work: string;
  /** Writes context `name` under `work` (relative path -> content) and returns its directory. */
  context(name: string, files: Record<string, string>): string;
}

export function buildSandbox(prefix: string): BuildSandbox {
  let sb: CoveSandbox | undefined;
  let work: string | undefined;
  const suite: BuildSandbox = {
    get sb() {
      return started(sb, 'the build sandbox');
    },
    get work() {
      return started(work, 'the build sandbox');
    },
    context(name, files) {
      const dir = path.join(suite.work, name);
      for (const [rel, content] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
        fs.writeFileSync(path.join(dir, rel), content);
      }
      return dir;
    },
  };
  before(async () => {
    sb = await busyboxSandbox(prefix);
    work = fs.mkdtempSync(path.join(path.dirname(sb.home), `${prefix}ctx-`));
  });
  after(async () => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
    await sb?.cleanup();
  });
  return suite;
}
