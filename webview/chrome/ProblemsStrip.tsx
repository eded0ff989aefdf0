// The engine's errors for the whole model, in one strip under the canvas; clicking one selects and centres the
// node at fault.
import { memo, useState } from 'react';
import type { Problem } from '../model/graphView';
import { Icon } from '../ui/Icon';

function ProblemsStripImpl({ problems, onReveal }: { problems: readonly Problem[]; onReveal: (nodeId: string) => void }) {
  const [open, setOpen] = useState(true);
  const n = problems.length;
  return (
    <div className={`problems${n ? ' has-problems' : ''}`} data-testid="problems">
      <button type="button" className="problems-toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
        <Icon name={n ? 'error' : 'check'} /> {n === 0 ? 'No problems' : `${n} problem${n === 1 ? '' : 's'}`}
        {n > 0 && <Icon name={open ? 'chevron-down' : 'chevron-up'} />}
      </button>
      {open && n > 0 && (
        <ul className="problems-list">
          {problems.map((p, i) => (
            <li key={i}>
              {p.nodeId !== undefined ? (
                <button type="button" className="problem" data-node-id={p.nodeId} onClick={() => onReveal(p.nodeId!)} title="Show the node">
                  <Icon name="error" /> <span className="problem-node">{p.nodeId}</span> {p.message}
                </button>
              ) : (
                <span className="problem">
                  <Icon name="error" /> {p.message}
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export const ProblemsStrip = memo(ProblemsStripImpl);
