import http from 'node:http';
import net from 'node:net';
import { test, expect } from '../support/cove-app.js';
import { RunDialog } from '../pages/run-dialog.js';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function fetchText(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', timeout: 3000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
  });
}

test('run with a published port from the dialog and fetch a page through it; a port in use is a readable error', async ({ cove }) => {
  const { page, sandbox } = cove;
  expect((await sandbox.cove(['load', '-q', '-i', cove.fixtures.busyboxDocker])).code).toBe(0);
  // Port forwarding is the engine's (slirp4netns add_hostfwd); while it does
  // not forward, even from the CLI, this spec has nothing to show and skips.
  const probePort = await freePort();
  const probe = await sandbox.cove(['run', '-d', '--name', 'probe', '--network', 'slirp4netns', '-p', `${probePort}:80`, 'busybox', 'sh', '-c', 'echo ok > /tmp/i.html && exec httpd -f -p 80 -h /tmp']);
  let forwards = false;
  for (let i = 0; i < 25 && probe.code === 0 && !forwards; i++) {
    forwards = await fetchText(probePort).then(() => true, () => false);
    if (!forwards) await new Promise((r) => setTimeout(r, 200));
  }
  await sandbox.cove(['rm', '-f', 'probe']);
  test.skip(!forwards, `published ports do not forward yet (cove run -p from the CLI: ${probe.code === 0 ? 'unreachable' : probe.stderr.trim()})`);

  const port = await freePort();
  const dialog = new RunDialog(page);
  await dialog.openFromContainers();
  await dialog.fill({ image: 'busybox', name: 'web', command: `sh -c "mkdir -p /www && echo hello-from-cove > /www/index.html && exec httpd -f -p 80 -h /www"` });
  await dialog.root().getByLabel(/^Ports/).fill(`${port}:80`);
  await dialog.submit();
  await expect(page.locator('[data-testid="container-page"][data-name="web"]')).toHaveAttribute('data-state', 'running');
  await expect.poll(() => fetchText(port).catch((e: Error) => e.message), { timeout: 15_000 }).toContain('hello-from-cove');

  // The same host port again: the engine's code, readably, in the dialog.
  await dialog.openFromContainers();
  await dialog.fill({ image: 'busybox', name: 'web2', command: 'sleep 1000' });
  await dialog.root().getByLabel(/^Ports/).fill(`${port}:80`);
  await dialog.submit();
  await expect(dialog.error()).toHaveAttribute('data-code', /^E_/);
  await expect(dialog.error()).toContainText(String(port));
  await expect(dialog.error()).not.toContainText(/at .*\.(js|ts):\d+/);
});
