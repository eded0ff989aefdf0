// The chevron button that folds a part of the editor (the training panel, its settings, the overlay legend, the
// depth profile, the minimap): one place for its state, its label for screen readers and its tooltip.
import type { ReactNode } from 'react';
import { Icon } from './Icon';

export interface FoldButtonProps {
  open: boolean;
  onToggle: () => void;
  /** What folds, for the label: "the minimap" gives "Hide the minimap" / "Show the minimap". */
  what: string;
  className: string;
  testId: string;
  children?: ReactNode;
}

export function FoldButton({ open, onToggle, what, className, testId, children }: FoldButtonProps) {
  const label = `${open ? 'Hide' : 'Show'} ${what}`;
  return (
    <button type="button" className={className} aria-expanded={open} aria-label={label} title={label} onClick={onToggle} data-testid={testId}>
      <Icon name={open ? 'chevron-down' : 'chevron-right'} />
      {children}
    </button>
  );
}
