import { useEffect } from 'react';
import { hashOf } from '../store/routes';
import { useAppStore } from '../store/use-app-store';

const MODES: Record<string, string> = {
  slirp4netns: 'slirp4netns: its own outbound link; published ports reach it',
  none: 'none: loopback only',
  host: "host: the host's own network",
};

/** The overview's Networks card: each user-defined network the container is on, with its address and aliases. */
export function ContainerNetworks({ id, mode }: { id: string; mode: string }) {
  const networks = useAppStore((s) => s.networks);
  const status = useAppStore((s) => s.networksStatus);
  const fetch = useAppStore((s) => s.fetchNetworks);
  useEffect(() => void fetch(), [fetch, id]);
  const mine = networks.flatMap((n) => n.containers.filter((c) => c.containerId === id).map((c) => ({ net: n, ep: c })));
  let body;
  if (mine.length > 0)
    body = (
      <ul className="plain-list">
        {mine.map(({ net, ep }) => (
          <li key={net.id} data-testid="overview-network" data-name={net.name}>
            <a href={hashOf({ page: 'networks' })}>{net.name}</a> <span className="mono">{ep.ip}{net.subnet ? `/${net.subnet.split('/')[1]}` : ''}</span>
            {net.gateway ? <span className="muted"> via {net.gateway}</span> : null}
            {net.internal ? <span className="muted"> (internal)</span> : null}
            {ep.aliases.length > 0 ? <span className="muted">, aliases: {ep.aliases.join(', ')}</span> : null}
          </li>
        ))}
      </ul>
    );
  else if (mode.startsWith('container:')) body = <p className="muted">Shares the network of container {mode.slice(10, 22)}.</p>;
  else if (MODES[mode]) body = <p className="muted">{MODES[mode]}</p>;
  else if (status !== 'ready') body = <p className="loading">Loading networks…</p>;
  else body = <p className="muted">Not on any network now (created on {mode}); connect it with cove network connect NETWORK {id.slice(0, 12)}.</p>;
  return (
    <section className="card" data-testid="overview-networks">
      <h2>Networks</h2>
      {body}
    </section>
  );
}
