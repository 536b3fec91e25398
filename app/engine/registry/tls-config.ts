import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';

export interface TlsOptions {
  ca: string[];
  cert?: string;
  key?: string;
  rejectUnauthorized: boolean;
}

const SYSTEM_BUNDLES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/cert.pem'];
let systemCas: string[] | undefined;

/** Node's bundled roots plus the distribution's bundle, so a CA the admin installed (update-ca-certificates) is trusted. */
function systemRoots(): string[] {
  if (systemCas) return systemCas;
  const out = [...tls.rootCertificates];
  for (const file of SYSTEM_BUNDLES) {
    try {
      out.push(fs.readFileSync(file, 'utf8'));
      break;
    } catch {
      // try the next distribution's path
    }
  }
  systemCas = out;
  return out;
}

/** certs.d directories for a registry host, as containers-certs.d(5) and docker list them. */
export function certsDirs(registry: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const configHome = env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), '.config');
  return [path.join(configHome, 'containers', 'certs.d', registry), path.join('/etc/containers/certs.d', registry), path.join('/etc/docker/certs.d', registry)];
}

/**
 * TLS settings for one registry: system roots plus every *.crt in its
 * certs.d directories (CAs), and a client certificate pair (*.cert + *.key)
 * when one is there.
 */
export function tlsOptionsFor(registry: string, verify: boolean, env: NodeJS.ProcessEnv = process.env): TlsOptions {
  const extra: string[] = [];
  let cert: string | undefined;
  let key: string | undefined;
  for (const dir of certsDirs(registry, env)) {
    let names: string[];
    try {
      names = fs.readdirSync(dir).sort();
    } catch {
      continue;
    }
    for (const name of names) {
      const file = path.join(dir, name);
      try {
        if (name.endsWith('.crt')) extra.push(fs.readFileSync(file, 'utf8'));
        else if (name.endsWith('.cert') && !cert) {
          const keyFile = file.slice(0, -'.cert'.length) + '.key';
          cert = fs.readFileSync(file, 'utf8');
          key = fs.readFileSync(keyFile, 'utf8');
        }
      } catch {
        // An unreadable file in certs.d is skipped like containers/image does.
      }
    }
  }
  return { ca: extra.length > 0 ? [...systemRoots(), ...extra] : systemRoots(), ...(cert && key ? { cert, key } : {}), rejectUnauthorized: verify };
}

const CERT_ERROR_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'HOSTNAME_MISMATCH',
]);

export function isCertificateError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && CERT_ERROR_CODES.has(code);
}

/** The server answered a TLS hello with something else: it speaks plain HTTP. */
export function isNotTlsError(err: unknown): boolean {
  const e = err as NodeJS.ErrnoException | undefined;
  return e?.code === 'EPROTO' || e?.code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number|packet length too long|http request/i.test(e?.message ?? '');
}
