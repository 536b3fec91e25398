import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isLoopbackHttpUrl, portLabel, publishedPortUrl } from './port-url.js';

test('a published TCP port opens on the loopback (or the address it is bound to); UDP has no page', () => {
  assert.equal(publishedPortUrl({ protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 8080 }), 'http://127.0.0.1:8080/');
  assert.equal(publishedPortUrl({ protocol: 'tcp', hostIp: '', hostPort: 80 }), 'http://127.0.0.1:80/');
  assert.equal(publishedPortUrl({ protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 3000 }), 'http://127.0.0.1:3000/');
  assert.equal(publishedPortUrl({ protocol: 'tcp', hostIp: '::1', hostPort: 3000 }), 'http://[::1]:3000/');
  assert.equal(publishedPortUrl({ protocol: 'udp', hostIp: '0.0.0.0', hostPort: 53 }), null);
  assert.equal(publishedPortUrl({ protocol: 'tcp', hostIp: '0.0.0.0', hostPort: 0 }), null);
  assert.equal(portLabel({ protocol: 'tcp', hostIp: '', hostPort: 8080, containerPort: 80 }), '0.0.0.0:8080->80/tcp');
});

test('main opens only http URLs of the loopback with a port', () => {
  for (const ok of ['http://127.0.0.1:8080/', 'http://localhost:3000/x?y=1', 'http://[::1]:9000/']) assert.equal(isLoopbackHttpUrl(ok), true, ok);
  for (const bad of ['https://127.0.0.1:8080/', 'http://127.0.0.1/', 'http://evil.example:8080/', 'file:///etc/passwd', 'http://user:pw@127.0.0.1:80/', 'javascript:alert(1)', 'http://127.0.0.1.evil.example:80/', 'not a url']) {
    assert.equal(isLoopbackHttpUrl(bad), false, bad);
  }
});
