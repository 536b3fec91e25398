// A Cove sandbox whose registry configuration is private too: its own
// registries.conf, auth file and certs.d, so no test reads or writes the
// user's (containers-registries.conf(5), containers-auth.json(5), containers-certs.d(5)).
import fs from 'node:fs';
import path from 'node:path';
import { createSandbox, type CoveSandbox } from './harness.js';

export interface RegistrySandbox extends CoveSandbox {
  configHome: string;
  authFile: string;
  registriesConf: string;
  /** Writes registries.conf (TOML). */
  setRegistriesConf(text: string): void;
  /** Trusts a CA for one registry host through certs.d. */
  trustCa(host: string, caFile: string): void;
}

export async function createRegistrySandbox(prefix = 'cove-reg-it-'): Promise<RegistrySandbox> {
  const sb = await createSandbox(prefix);
  const configHome = path.join(sb.home, 'config');
  fs.mkdirSync(path.join(configHome, 'containers'), { recursive: true, mode: 0o700 });
  const authFile = path.join(configHome, 'containers', 'auth.json');
  const registriesConf = path.join(configHome, 'containers', 'registries.conf');
  fs.writeFileSync(registriesConf, 'unqualified-search-registries = ["docker.io"]\n');
  Object.assign(sb.env, { XDG_CONFIG_HOME: configHome, REGISTRY_AUTH_FILE: authFile, CONTAINERS_REGISTRIES_CONF: registriesConf, DOCKER_CONFIG: path.join(configHome, 'docker') });
  return {
    ...sb,
    configHome,
    authFile,
    registriesConf,
    setRegistriesConf: (text) => fs.writeFileSync(registriesConf, text),
    trustCa: (host, caFile) => {
      const dir = path.join(configHome, 'containers', 'certs.d', host);
      fs.mkdirSync(dir, { recursive: true });
      fs.copyFileSync(caFile, path.join(dir, 'ca.crt'));
    },
  };
}
