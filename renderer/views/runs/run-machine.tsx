/** The Run view's Software and Hardware tabs: what the run ran on. */
import type { ReactNode } from 'react';
import { formatBytes } from '../../../shared/snapshot/snapshot-text';
import type { Snapshot } from '../../../shared/snapshot/snapshot';
import { KeyValues } from '../../components/common';

/** The Software tab: OS, Python, numerics libraries, packages, environment specs. */
export function SoftwarePanel({ snapshot: s }: { snapshot: Snapshot }): ReactNode {
  return (
    <>
      <KeyValues
        rows={[
          [
            'OS',
            s.software.os
              ? `${s.software.os.distro ?? s.software.os.platform} ${s.software.os.release ?? ''} (${s.software.os.arch})`
              : null,
          ],
          ['kernel', s.software.os?.kernel],
          [
            'Python',
            s.software.python.status === 'ok'
              ? `${s.software.python.implementation ?? ''} ${s.software.python.version ?? ''}`
              : `${s.software.python.status}${s.software.python.error ? `: ${s.software.python.error}` : ''}`,
          ],
          ['interpreter', s.software.python.executable],
          ['virtualenv', s.software.python.virtualenv],
          ['conda', s.software.python.conda],
        ]}
      />
      {Object.keys(s.software.numerics).length ? (
        <>
          <h2>Numerics libraries</h2>
          {Object.entries(s.software.numerics).map(([lib, facts]) => (
            <div key={lib}>
              <h3>{lib}</h3>
              <KeyValues rows={Object.entries(facts)} />
            </div>
          ))}
        </>
      ) : null}
      <h2>
        Packages ({s.software.packages.length}){s.software.packagesProvenance === 'declared' ? ' — declared' : ''}
      </h2>
      {s.software.packages.length ? (
        <table className="grid">
          <thead>
            <tr>
              <th>name</th>
              <th>version</th>
              <th>installer</th>
              <th>editable</th>
            </tr>
          </thead>
          <tbody>
            {s.software.packages.map((p) => (
              <tr key={p.name}>
                <td>{p.name}</td>
                <td className="mono">{p.version}</td>
                <td>{p.installer}</td>
                <td>{p.editable ? 'yes' : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">none recorded</p>
      )}
      {s.software.envSpecs.map((e) => (
        <div key={e.path} className="section">
          <h3>
            {e.path}{' '}
            <span className="faint">
              {e.kind} · sha256 {e.sha256.slice(0, 12)}
            </span>
          </h3>
          <pre className="log">{e.content}</pre>
        </div>
      ))}
    </>
  );
}
/** The Hardware tab: CPU, memory, virtualization, GPUs. */
export function HardwarePanel({ snapshot: s }: { snapshot: Snapshot }): ReactNode {
  return (
    <>
      <KeyValues
        rows={[
          ['CPU', s.hardware.cpu ? `${s.hardware.cpu.vendor ?? ''} ${s.hardware.cpu.model ?? ''}` : null],
          [
            'cores',
            s.hardware.cpu
              ? `${s.hardware.cpu.cores ?? '?'} logical, ${s.hardware.cpu.physicalCores ?? '?'} physical`
              : null,
          ],
          ['numerics flags', s.hardware.cpu?.numericsFlags.join(' ')],
          ['memory', s.hardware.memoryBytes === null ? null : formatBytes(s.hardware.memoryBytes)],
          [
            'virtualization',
            s.hardware.virtualization
              ? [
                  s.hardware.virtualization.virtual ? 'virtual' : 'bare metal',
                  s.hardware.virtualization.hypervisor,
                  s.hardware.virtualization.container,
                ]
                  .filter(Boolean)
                  .join(', ')
              : null,
          ],
        ]}
      />
      <h2>GPUs</h2>
      {s.hardware.gpus.length ? (
        <table className="grid">
          <thead>
            <tr>
              <th>model</th>
              <th>memory</th>
              <th>driver</th>
              <th>CUDA</th>
            </tr>
          </thead>
          <tbody>
            {s.hardware.gpus.map((g, i) => (
              <tr key={i}>
                <td>
                  {g.vendor} {g.model}
                </td>
                <td>{g.memoryMB === null ? '' : `${g.memoryMB} MB`}</td>
                <td>{g.driver}</td>
                <td>{g.cudaVersion}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">none</p>
      )}
    </>
  );
}
