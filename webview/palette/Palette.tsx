// The layer palette: every op of the engine's registry, grouped by category and searchable. Drag an entry onto
// the canvas to add it there; double-click it or press Enter to add it at the centre of the view.
import { memo, useMemo, useState, type DragEvent, type KeyboardEvent } from 'react';
import { allOps, CATEGORIES, type OpSpec } from '../../engine/graph/registry';
import { PALETTE_MIME } from '../canvas/Canvas';
import { CATEGORY_ICON, categoryClass } from '../canvas/categories';
import { Icon } from '../ui/Icon';
import { TextField } from '../ui/toolkit';

function matches(spec: OpSpec, query: string): boolean {
  if (!query) return true;
  const q = query.toLowerCase();
  return spec.op.toLowerCase().includes(q) || spec.category.toLowerCase().includes(q) || spec.summary.toLowerCase().includes(q);
}

function PaletteImpl({ onAdd }: { onAdd: (op: string) => void }) {
  const [query, setQuery] = useState('');
  const groups = useMemo(() => {
    const ops = allOps().filter((s) => matches(s, query.trim()));
    return CATEGORIES.map((c) => ({ category: c, ops: ops.filter((s) => s.category === c) })).filter((g) => g.ops.length > 0);
  }, [query]);

  const onDragStart = (e: DragEvent, op: string) => {
    e.dataTransfer.setData(PALETTE_MIME, op);
    e.dataTransfer.setData('text/plain', op);
    e.dataTransfer.effectAllowed = 'copy';
  };
  const onKeyDown = (e: KeyboardEvent, op: string) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      onAdd(op);
    }
  };

  return (
    <aside className="palette nokey" aria-label="Layer palette">
      <div className="panel-title">
        <Icon name="layers" /> Layers
      </div>
      <TextField value={query} onInput={setQuery} placeholder="Search layers" ariaLabel="Search layers" className="palette-search" data-testid="palette-search">
        <span slot="start" className="codicon codicon-search" />
      </TextField>
      <div className="palette-groups">
        {groups.map((g) => (
          <section key={g.category} className="palette-group" aria-label={g.category}>
            <h3>{g.category}</h3>
            <ul role="list">
              {g.ops.map((s) => (
                <li
                  key={s.op}
                  className={`palette-item ${categoryClass(s.category)}`}
                  draggable
                  tabIndex={0}
                  role="button"
                  aria-label={`Add ${s.op}`}
                  title={`${s.summary}\nDrag onto the canvas, or double-click / Enter to add at the centre.`}
                  data-op={s.op}
                  onDragStart={(e) => onDragStart(e, s.op)}
                  onDoubleClick={() => onAdd(s.op)}
                  onKeyDown={(e) => onKeyDown(e, s.op)}
                >
                  <Icon name={CATEGORY_ICON[s.category]} className="palette-icon" />
                  <span className="palette-op">{s.op}</span>
                </li>
              ))}
            </ul>
          </section>
        ))}
        {groups.length === 0 && <p className="hint">No layer matches “{query}”.</p>}
      </div>
    </aside>
  );
}

export const Palette = memo(PaletteImpl);
