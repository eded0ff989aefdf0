// One attribute of the selected node as a typed field: a checkbox for bool, a dropdown for an enum, a text field
// for numbers, shapes and pairs ("2, 3" or [2, 3]). Checked with the engine's checkAttr while typing; only a
// valid value that differs from the file's is sent, as one setAttr edit, on Enter or when leaving the field.
import { useState } from 'react';
import type { AttrSpec, AttrValue } from '../../engine/graph/attrs';
import { attrFieldText, attrPlaceholder, parseAttrText } from '../model/attrText';
import { Checkbox, Dropdown, TextField } from '../ui/toolkit';

export interface AttrFieldProps {
  spec: AttrSpec;
  /** The value written in the file (undefined: left out, so the default applies). */
  given: unknown;
  readOnly: boolean;
  onSet: (value: AttrValue | null) => void;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

export function AttrField({ spec, given, readOnly, onSet }: AttrFieldProps) {
  const [text, setText] = useState(() => attrFieldText(given));
  const [error, setError] = useState<string | null>(null);
  const fieldId = `attr-${spec.name}`;

  const check = (t: string) => {
    const r = parseAttrText(spec, t);
    setError(r.ok ? null : r.error);
    return r;
  };
  const commit = (t: string) => {
    const r = check(t);
    if (r.ok && !same(r.value, given)) onSet(r.value);
  };

  let field;
  if (spec.type.kind === 'bool') {
    const checked = (given ?? spec.default) === true;
    field = (
      <Checkbox checked={checked} disabled={readOnly} onChange={(v) => onSet(v)} data-testid={fieldId}>
        {spec.name}
      </Checkbox>
    );
  } else if (spec.type.kind === 'enum') {
    const current = String(given ?? spec.default ?? '');
    const options = [
      ...(spec.default === undefined && given === undefined ? [{ value: '', label: '(choose)' }] : []),
      ...spec.type.values.map((v) => ({ value: v, label: v === spec.default ? `${v} (default)` : v })),
    ];
    field = <Dropdown value={current} options={options} disabled={readOnly} ariaLabel={spec.name} onChange={(v) => v && onSet(v)} data-testid={fieldId} />;
  } else {
    field = (
      <TextField
        value={text}
        placeholder={attrPlaceholder(spec)}
        disabled={readOnly}
        invalid={!!error}
        ariaLabel={spec.name}
        onInput={(t) => {
          setText(t);
          check(t);
        }}
        onCommit={commit}
        data-testid={fieldId}
      />
    );
  }

  const missing = given === undefined && spec.default === undefined && !spec.optional;
  return (
    <div className={`field${error || missing ? ' has-error' : ''}`} data-attr={spec.name}>
      {spec.type.kind !== 'bool' && <label className="field-label">{spec.name}</label>}
      {field}
      <div className="field-doc">{spec.doc}</div>
      {error && (
        <div className="field-error" role="alert">
          {error}
        </div>
      )}
      {!error && missing && <div className="field-error">Required.</div>}
    </div>
  );
}
