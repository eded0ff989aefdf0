// The status line's message: why a connection was refused, what an edit did, what the host rejected.
import { useCallback, useEffect, useRef, useState } from 'react';

export type StatusKind = 'info' | 'warning' | 'error';
export interface Status {
  text: string;
  kind: StatusKind;
  /** Bumped on every message, so the same text shown twice still re-announces. */
  seq: number;
}

export type Notify = (text: string, kind?: StatusKind) => void;

export function useStatus(clearAfterMs = 8000): [Status | null, Notify] {
  const [status, setStatus] = useState<Status | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const seq = useRef(0);
  const notify = useCallback<Notify>(
    (text, kind = 'info') => {
      clearTimeout(timer.current);
      setStatus({ text, kind, seq: ++seq.current });
      timer.current = setTimeout(() => setStatus(null), clearAfterMs);
    },
    [clearAfterMs],
  );
  useEffect(() => () => clearTimeout(timer.current), []);
  return [status, notify];
}
