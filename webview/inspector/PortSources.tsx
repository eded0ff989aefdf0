// Keyboard wiring: for each input port of the selected node, a dropdown of the nodes that may feed it (every node
// that would not make a cycle). Picking one sends one setInput edit; "(not connected)" disconnects the port.
import type { PortView } from '../model/graphView';
import { Dropdown } from '../ui/toolkit';

export interface PortSourcesProps {
  ports: readonly PortView[];
  /** Node ids that may feed this node. */
  candidates: readonly { id: string; op: string }[];
  readOnly: boolean;
  onSetInput: (port: number, source: string | null) => void;
}

const NONE = '';

export function PortSources({ ports, candidates, readOnly, onSetInput }: PortSourcesProps) {
  if (ports.length === 0) return <p className="hint">No inputs: this node is fed at run time.</p>;
  return (
    <>
      {ports.map((p) => {
        const options = [{ value: NONE, label: '(not connected)' }, ...candidates.map((c) => ({ value: c.id, label: `${c.id} (${c.op})` }))];
        if (p.source !== undefined && !candidates.some((c) => c.id === p.source)) options.push({ value: p.source, label: p.source });
        return (
          <div className="field" key={p.index} data-port={p.index}>
            <label className="field-label">
              {p.index}: {p.name}
            </label>
            <Dropdown
              value={p.source ?? NONE}
              options={options}
              disabled={readOnly}
              ariaLabel={`Source of input ${p.index} (${p.name})`}
              onChange={(v) => onSetInput(p.index, v === NONE ? null : v)}
              data-testid={`port-source-${p.index}`}
            />
          </div>
        );
      })}
    </>
  );
}
