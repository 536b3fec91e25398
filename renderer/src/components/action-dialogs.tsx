// Small forms for one action each: rename a container, tag or push an image.
// The engine's error shows in place and the input stays, so nothing typed is lost.
import { useState, type FormEvent, type ReactNode } from 'react';
import { toCoveApiError } from '../api/errors';
import { shortId } from '../format/ids';
import { useAppStore } from '../store/use-app-store';
import { ErrorMessage, Modal } from './modal';
import { TaskProgressView } from './task-progress';

function FormDialog({ title, testId, submitLabel, canSubmit, onSubmit, children, footer }: {
  title: string;
  testId: string;
  submitLabel: string;
  canSubmit: boolean;
  /** Resolves true to close the dialog. */
  onSubmit(): Promise<boolean>;
  children: ReactNode;
  footer?: ReactNode;
}) {
  const close = useAppStore((s) => s.openDialog);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ code: string; message: string } | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (await onSubmit()) close(null);
    } catch (reason) {
      const err = toCoveApiError(reason);
      setError({ code: err.code, message: err.message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal title={title} onClose={() => close(null)} testId={testId}>
      <form className="form" onSubmit={(e) => void submit(e)}>
        {children}
        <ErrorMessage error={error} />
        {footer}
        <div className="form-actions">
          <button type="button" className="button" onClick={() => close(null)}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={busy || !canSubmit}>
            {submitLabel}
          </button>
        </div>
      </form>
    </Modal>
  );
}

export function RenameDialog({ id }: { id: string }) {
  const container = useAppStore((s) => s.containers.find((c) => c.id === id));
  const rename = useAppStore((s) => s.renameContainer);
  const [name, setName] = useState(container?.name ?? '');
  if (!container) return null;
  return (
    <FormDialog title={`Rename ${container.name}`} testId="rename-dialog" submitLabel="Rename" canSubmit={name.trim() !== '' && name.trim() !== container.name} onSubmit={async () => {
      await rename(id, name.trim());
      return true;
    }}>
      <label className="field">
        <span>New name</span>
        <input name="name" required value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />
      </label>
    </FormDialog>
  );
}

export function TagDialog({ id }: { id: string }) {
  const image = useAppStore((s) => s.images.find((i) => i.id === id));
  const tag = useAppStore((s) => s.tagImage);
  const [target, setTarget] = useState('');
  if (!image) return null;
  const source = image.references[0] ?? image.id;
  return (
    <FormDialog title={`Tag ${image.references[0] ?? shortId(image.id)}`} testId="tag-dialog" submitLabel="Add tag" canSubmit={target.trim() !== ''} onSubmit={async () => {
      await tag(source, target.trim());
      return true;
    }}>
      <label className="field">
        <span>New reference <em className="muted">(e.g. registry.example.com/team/app:1.0)</em></span>
        <input name="target" required value={target} onChange={(e) => setTarget(e.target.value)} className="mono" autoComplete="off" />
      </label>
    </FormDialog>
  );
}

/** The push runs in the engine as a task: closing the dialog does not stop it. */
export function PushDialog({ reference }: { reference: string }) {
  const push = useAppStore((s) => s.pushImage);
  const cancel = useAppStore((s) => s.cancelJob);
  const [destination, setDestination] = useState(reference);
  const [taskId, setTaskId] = useState<string | null>(null);
  const task = useAppStore((s) => (taskId ? s.jobs.find((j) => j.id === taskId) : undefined));
  return (
    <FormDialog
      title={`Push ${reference}`}
      testId="push-dialog"
      submitLabel="Push"
      canSubmit={destination.trim() !== '' && (taskId === null || task?.state !== 'running')}
      onSubmit={async () => {
        const dest = destination.trim();
        setTaskId(await push(reference, dest === reference ? undefined : dest));
        return false;
      }}
      footer={
        <>
          {task && <TaskProgressView task={task} onCancel={() => void cancel(task.id)} />}
          {taskId && !task && <p className="muted">Starting…</p>}
        </>
      }
    >
      <label className="field">
        <span>Destination <em className="muted">(registry/repository:tag)</em></span>
        <input name="destination" required value={destination} onChange={(e) => setDestination(e.target.value)} className="mono" autoComplete="off" />
      </label>
    </FormDialog>
  );
}

/** The archive is read by the engine, on its machine (web mode serves 127.0.0.1 only, so that is this one). */
export function LoadDialog() {
  const load = useAppStore((s) => s.loadImages);
  const [path, setPath] = useState('');
  const [loaded, setLoaded] = useState<string[] | null>(null);
  return (
    <FormDialog
      title="Load images from an archive"
      testId="load-dialog"
      submitLabel="Load"
      canSubmit={path.trim().startsWith('/')}
      onSubmit={async () => {
        const images = await load(path.trim());
        setLoaded(images.flatMap((i) => (i.references.length > 0 ? i.references : [shortId(i.id)])));
        return false;
      }}
      footer={loaded && <p role="status" data-testid="load-result">Loaded {loaded.join(', ') || 'nothing'}.</p>}
    >
      <label className="field">
        <span>Archive <em className="muted">(absolute path on this machine: docker save or OCI archive, or an OCI layout directory)</em></span>
        <input name="path" required value={path} onChange={(e) => setPath(e.target.value)} className="mono" placeholder="/home/me/busybox.tar" autoComplete="off" />
      </label>
    </FormDialog>
  );
}

export function SaveDialog({ reference }: { reference: string }) {
  const save = useAppStore((s) => s.saveImages);
  const [path, setPath] = useState('');
  const [format, setFormat] = useState<'docker-archive' | 'oci-archive'>('docker-archive');
  const [saved, setSaved] = useState<string | null>(null);
  return (
    <FormDialog
      title={`Save ${reference}`}
      testId="save-dialog"
      submitLabel="Save"
      canSubmit={path.trim().startsWith('/')}
      onSubmit={async () => {
        setSaved(await save([reference], path.trim(), format));
        return false;
      }}
      footer={saved && <p role="status" data-testid="save-result">Saved to <code>{saved}</code>.</p>}
    >
      <label className="field">
        <span>File <em className="muted">(absolute path on this machine)</em></span>
        <input name="path" required value={path} onChange={(e) => setPath(e.target.value)} className="mono" placeholder="/home/me/image.tar" autoComplete="off" />
      </label>
      <label className="field">
        <span>Format</span>
        <select name="format" value={format} onChange={(e) => setFormat(e.target.value as typeof format)}>
          <option value="docker-archive">Docker archive (docker load reads it)</option>
          <option value="oci-archive">OCI archive</option>
        </select>
      </label>
    </FormDialog>
  );
}

/** Credentials are checked with the registry first, then stored where `cove login` stores them. */
export function LoginDialog({ registry: initial }: { registry?: string }) {
  const login = useAppStore((s) => s.registryLogin);
  const [registry, setRegistry] = useState(initial ?? '');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [done, setDone] = useState<string | null>(null);
  return (
    <FormDialog
      title="Sign in to a registry"
      testId="login-dialog"
      submitLabel="Sign in"
      canSubmit={registry.trim() !== '' && username !== '' && password !== ''}
      onSubmit={async () => {
        await login(registry.trim(), username, password);
        setDone(registry.trim());
        setPassword('');
        return false;
      }}
      footer={done && <p role="status" data-testid="login-result">Signed in to {done}.</p>}
    >
      <label className="field">
        <span>Registry</span>
        <input name="registry" required value={registry} onChange={(e) => setRegistry(e.target.value)} className="mono" placeholder="registry.example.com" autoComplete="off" />
      </label>
      <label className="field">
        <span>User name</span>
        <input name="username" required value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="username" />
      </label>
      <label className="field">
        <span>Password or token</span>
        <input name="password" type="password" required value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="current-password" />
      </label>
    </FormDialog>
  );
}
