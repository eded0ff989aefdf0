// One line at the bottom that says what just happened (a refused connection and its reason, a rejected edit).
import { memo } from 'react';
import { Icon } from '../ui/Icon';
import type { Status } from './useStatus';

const ICON = { info: 'info', warning: 'warning', error: 'error' } as const;

function StatusLineImpl({ status }: { status: Status | null }) {
  return (
    <div className={`status-line${status ? ` ${status.kind}` : ''}`} role="status" aria-live="polite" data-testid="status-line">
      {status && (
        <span key={status.seq} className="status-text">
          <Icon name={ICON[status.kind]} /> {status.text}
        </span>
      )}
    </div>
  );
}

export const StatusLine = memo(StatusLineImpl);
