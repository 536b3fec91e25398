import { isOwnRendererUrl, type RendererLocation } from './renderer-location.js';

/** The parts of an IPC event a sender check reads (IpcMainInvokeEvent has them). */
export interface IpcSenderInfo {
  sender: unknown;
  senderFrame: { url: string; parent: unknown } | null;
}

/**
 * Electron security checklist, "Validate the sender of all IPC messages":
 * only the top frame of Cove's own window, showing Cove's own page, may call
 * the engine; an iframe or a page that got navigated elsewhere may not.
 */
export function isTrustedSender(event: IpcSenderInfo, windowContents: unknown, location: RendererLocation): boolean {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null) return false;
  if (windowContents === null || windowContents === undefined || event.sender !== windowContents) return false;
  return isOwnRendererUrl(frame.url, location);
}
