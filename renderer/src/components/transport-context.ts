import { createContext, useContext } from 'react';
import type { Transport } from '../api/transport';

/** Terminals need the transport's byte channels, which are not API calls and so not store actions. */
export const TransportContext = createContext<Transport | null>(null);

export function useTransport(): Transport {
  const transport = useContext(TransportContext);
  if (!transport) throw new Error('useTransport needs a TransportContext provider');
  return transport;
}
