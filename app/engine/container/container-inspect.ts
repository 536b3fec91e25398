import type { ContainerInspect } from '../../api/contract.js';
import type { ContainerRecord, ContainerStatus } from './container-store.js';
import type { OciSpec } from './oci-spec.js';
import type { RunConfig } from './run-config.js';
import type { PortSpec } from './run-options.js';

/** docker inspect's shape, from what Cove stores about a container. */
export function inspectView(rec: ContainerRecord, spec: OciSpec, s: ContainerStatus, ports: PortSpec[], logPath: string, oomKilled = false): ContainerInspect {
  const [cmd, ...args] = spec.process.args;
  const run = rec.config as RunConfig | undefined;
  const zero = '0001-01-01T00:00:00Z';
  return {
    Id: rec.id,
    Name: `/${rec.name}`,
    Created: rec.createdAt,
    Path: cmd ?? '',
    Args: args,
    Image: rec.imageId,
    State: {
      Status: s.state,
      Running: s.state === 'running' || s.state === 'paused',
      Paused: s.state === 'paused',
      Restarting: false,
      Dead: false,
      Pid: s.pid ?? 0,
      ExitCode: s.exitCode ?? 0,
      OOMKilled: oomKilled,
      StartedAt: s.startedAt ?? zero,
      FinishedAt: s.finishedAt ?? zero,
    },
    Config: {
      Image: rec.image,
      Hostname: spec.hostname,
      Env: spec.process.env,
      Cmd: run?.command ?? spec.process.args,
      Entrypoint: run?.entrypoint ?? null,
      WorkingDir: spec.process.cwd,
      User: `${spec.process.user.uid}:${spec.process.user.gid}`,
      Tty: spec.process.terminal,
      OpenStdin: run?.interactive ?? false,
      Labels: run?.labels ?? {},
      StopSignal: run?.stopSignal ?? 'TERM',
      StopTimeout: run?.stopTimeout ?? 10,
    },
    HostConfig: {
      Runtime: rec.runtime,
      AutoRemove: rec.autoRemove,
      NetworkMode: run?.network ?? 'none',
      RestartPolicy: { Name: run?.restart.name ?? 'no', MaximumRetryCount: run?.restart.maxRetries ?? 0 },
      ReadonlyRootfs: run?.readOnly ?? false,
      Init: run?.init ?? false,
      CapAdd: spec.process.capabilities.effective,
      PortBindings: Object.fromEntries(
        ports.map((pt) => [`${pt.containerPort}/${pt.protocol}`, [{ HostIp: pt.hostIp, HostPort: pt.hostPort ? String(pt.hostPort) : '' }]]),
      ),
    },
    NetworkSettings: {
      Ports: Object.fromEntries(
        ports.map((pt) => [`${pt.containerPort}/${pt.protocol}`, s.state === 'running' && pt.hostPort ? [{ HostIp: pt.hostIp, HostPort: String(pt.hostPort) }] : null]),
      ),
    },
    RestartCount: rec.restartCount ?? 0,
    LogPath: logPath,
    Mounts: (run?.mounts ?? []).map((m) => ({
      Type: m.type,
      ...(m.type === 'volume' && m.source ? { Name: m.source } : {}),
      Source: m.type === 'bind' ? m.source : m.type === 'volume' ? (m.source ?? '') : 'tmpfs',
      Destination: m.target,
      RW: m.type === 'tmpfs' ? true : !m.readOnly,
    })),
  };
}
