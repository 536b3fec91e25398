import { useEffect, useState, type FormEvent } from 'react';
import type { RunOptions } from '../../../app/api/contract';
import { toCoveApiError } from '../api/errors';
import { listEntries, shellWords } from '../format/shell-words';
import { hashOf } from '../store/routes';
import { useAppStore } from '../store/use-app-store';
import { ErrorMessage, Modal } from './modal';

export function RunDialog({ image: initialImage }: { image?: string }) {
  const images = useAppStore((s) => s.images);
  const run = useAppStore((s) => s.runContainer);
  const close = useAppStore((s) => s.openDialog);
  const [image, setImage] = useState(initialImage ?? '');
  const [name, setName] = useState('');
  const [command, setCommand] = useState('');
  const [env, setEnv] = useState('');
  const [ports, setPorts] = useState('');
  const [volumes, setVolumes] = useState('');
  // 'default', a built-in mode, or a user-defined network's name.
  const [network, setNetwork] = useState('default');
  const [alsoOn, setAlsoOn] = useState<string[]>([]);
  const [aliases, setAliases] = useState('');
  const networks = useAppStore((s) => s.networks);
  const fetchNetworks = useAppStore((s) => s.fetchNetworks);
  useEffect(() => void fetchNetworks(), [fetchNetworks]);
  const userNets = networks.filter((n) => !n.builtin).map((n) => n.name);
  const onUserNet = userNets.includes(network);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ code: string; message: string } | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const options: RunOptions = { image: image.trim() };
    if (name.trim()) options.name = name.trim();
    const argv = shellWords(command);
    if (argv.length > 0) options.command = argv;
    const envList = listEntries(env, /\n/);
    if (envList.length > 0) options.env = envList;
    const portList = listEntries(ports);
    if (portList.length > 0) options.ports = portList;
    // The engine's default is what `cove run` gets without --network.
    if (network !== 'default') options.network = network;
    if (onUserNet) {
      const names = listEntries(aliases);
      if (names.length > 0) options.networkAliases = names;
      const extra = alsoOn.filter((n) => n !== network && userNets.includes(n));
      if (extra.length > 0) options.extraNetworks = extra.map((name) => ({ name }));
    }
    const volumeList = listEntries(volumes, /\n/);
    if (volumeList.length > 0) options.volumes = volumeList;
    try {
      const summary = await run(options);
      close(null);
      window.location.hash = hashOf({ page: 'container', id: summary.id, tab: 'overview' });
    } catch (reason) {
      const err = toCoveApiError(reason);
      setError({ code: err.code, message: err.message });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal title="Run a container" onClose={() => close(null)} testId="run-dialog">
      <form className="form" onSubmit={(e) => void submit(e)}>
        <label className="field">
          <span>Image</span>
          <input name="image" required list="run-images" value={image} onChange={(e) => setImage(e.target.value)} placeholder="busybox:latest" autoComplete="off" />
          <datalist id="run-images">
            {images.flatMap((i) => i.references).map((r) => (
              <option key={r} value={r} />
            ))}
          </datalist>
        </label>
        <label className="field">
          <span>Name <em className="muted">(optional)</em></span>
          <input name="name" value={name} onChange={(e) => setName(e.target.value)} placeholder="a random name if empty" autoComplete="off" />
        </label>
        <label className="field">
          <span>Command <em className="muted">(optional, as in a shell)</em></span>
          <input name="command" value={command} onChange={(e) => setCommand(e.target.value)} placeholder="sleep 1000" className="mono" autoComplete="off" />
        </label>
        <label className="field">
          <span>Environment <em className="muted">(KEY=VALUE, one per line)</em></span>
          <textarea name="env" rows={2} value={env} onChange={(e) => setEnv(e.target.value)} className="mono" />
        </label>
        <label className="field">
          <span>Ports <em className="muted">(hostPort:containerPort, comma separated)</em></span>
          <input name="ports" value={ports} onChange={(e) => setPorts(e.target.value)} placeholder="8080:80" className="mono" autoComplete="off" />
        </label>
        <label className="field">
          <span>Network</span>
          <select name="network" value={network} onChange={(e) => setNetwork(e.target.value)}>
            <option value="default">Default (slirp4netns: outbound access and published ports)</option>
            <option value="slirp4netns">slirp4netns</option>
            <option value="host">Host (the host's own network)</option>
            <option value="none">None (no network; ports cannot be published)</option>
            {userNets.length > 0 ? (
              <optgroup label="User-defined (containers find each other by name)">
                {userNets.map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </optgroup>
            ) : null}
          </select>
        </label>
        {onUserNet ? (
          <>
            <label className="field">
              <span>Network aliases <em className="muted">(more names on {network}, comma separated)</em></span>
              <input name="aliases" value={aliases} onChange={(e) => setAliases(e.target.value)} placeholder="db, cache" className="mono" autoComplete="off" />
            </label>
            {userNets.length > 1 ? (
              <fieldset className="field" data-testid="run-also-on">
                <legend>Also on</legend>
                {userNets
                  .filter((n) => n !== network)
                  .map((n) => (
                    <label key={n}>
                      <input type="checkbox" checked={alsoOn.includes(n)} onChange={(e) => setAlsoOn(e.target.checked ? [...alsoOn, n] : alsoOn.filter((x) => x !== n))} /> {n}
                    </label>
                  ))}
              </fieldset>
            ) : null}
          </>
        ) : null}
        <label className="field">
          <span>Volumes <em className="muted">(name-or-path:/container/path, one per line)</em></span>
          <textarea name="volumes" rows={2} value={volumes} onChange={(e) => setVolumes(e.target.value)} className="mono" />
        </label>
        <ErrorMessage error={error} />
        <div className="form-actions">
          <button type="button" className="button" onClick={() => close(null)}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={busy || image.trim() === ''}>
            {busy ? 'Starting…' : 'Run'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
