// PathField: a path input with a native chooser in the desktop app.
import type { ReactNode } from 'react';
import type { PickPurpose } from '../../shared/api/desktop-bridge';
import { pickPath } from '../api';

/** A path input with a native chooser in the desktop app (a browser types the path: the server may be remote). */
export function PathField({
  id,
  value,
  onChange,
  purposes,
  placeholder,
}: {
  id: string;
  value: string;
  onChange: (v: string) => void;
  purposes: readonly { purpose: PickPurpose; label: string }[];
  placeholder?: string;
}): ReactNode {
  return (
    <div className="row">
      <input
        id={id}
        type="text"
        value={value}
        placeholder={placeholder}
        onChange={(e) => onChange(e.target.value)}
        spellCheck={false}
        className="mono"
      />
      {pickPath
        ? purposes.map(({ purpose, label }) => (
            <button
              type="button"
              key={purpose}
              onClick={() =>
                void pickPath!(purpose).then((r) => {
                  if (r.ok && r.value) onChange(r.value);
                })
              }
            >
              {label}
            </button>
          ))
        : null}
    </div>
  );
}
