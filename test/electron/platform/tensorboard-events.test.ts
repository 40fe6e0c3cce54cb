/** The TensorBoard reader on event files written by an independent encoder (Google's protobuf + crcmod, from Debian). */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { crc32c, maskedCrc32c, readTensorboardMetrics } from '../../../electron/platform/tensorboard-events';
import { REPO_ROOT, SYSTEM_PYTHON, tempDir } from '../../helpers/temp';

const WRITER_DIR = path.join(REPO_ROOT, 'test', 'fixtures', 'tensorboard');

/** Runs Python with the stand-in SummaryWriter importable. */
function python(code: string, cwd: string): void {
  execFileSync(SYSTEM_PYTHON, ['-c', code], { cwd, env: { ...process.env, PYTHONPATH: WRITER_DIR } });
}

describe('TensorBoard event files', () => {
  it('computes CRC-32C and the masked form TFRecord uses', () => {
    expect(crc32c(Buffer.from('123456789')).toString(16)).toBe('e3069283');
    // Every event file's first record is the 24-byte file_version event: its header is these 12 bytes in TensorFlow's own files.
    const header = Buffer.from([0x18, 0, 0, 0, 0, 0, 0, 0]);
    expect(maskedCrc32c(header).toString(16).padStart(8, '0')).toBe('224b7fa3');
  });

  it('reads simple_value scalars and the TF2 tensor form (float, raw bytes, double, int64), skipping text', () => {
    const dir = tempDir();
    python(
      [
        'from tb_writer import *',
        "w = SummaryWriter('runs')",
        'for step, loss in enumerate([0.9, 0.5, 0.1, 0.0]): w.add_scalar("loss", loss, step)',
        'w.add_tensor_scalar("acc", 0.5, 1)',
        'w.add_tensor_scalar("acc", 0.75, 2, raw=True)',
        'w.add_tensor_scalar("lr", 1e-3, 2, DT_DOUBLE)',
        'w.add_tensor_scalar("samples", 7, 3, DT_INT64)',
        'w.add_text("note", "hello", 3)',
        'w.close()',
      ].join('\n'),
      dir,
    );
    const r = readTensorboardMetrics(path.join(dir, 'runs'), { source: 'tensorboard:runs' });
    expect(Object.keys(r.metrics).sort()).toEqual(['acc', 'loss', 'lr', 'samples']);
    expect(r.metrics.loss!.value).toBe(0);
    expect(r.metrics.loss!.history!.map((p) => [p.step, p.value])).toEqual([
      [0, 0.9],
      [1, 0.5],
      [2, 0.1],
      [3, 0],
    ]);
    expect(r.metrics.acc!.history!.map((p) => p.value)).toEqual([0.5, 0.75]);
    expect(r.metrics.lr!.value).toBe(1e-3);
    expect(r.metrics.samples!.value).toBe(7);
    expect(r.metrics.loss!.source).toBe('tensorboard:runs');
    expect(r.metrics.loss!.history![0]!.timestamp).toBeGreaterThan(1.6e12);
  });

  it('names the tags of subfolders by folder (Keras train/ and validation/)', () => {
    const dir = tempDir();
    python(
      [
        'from tb_writer import *',
        'for sub, v in (("train", 0.4), ("validation", 0.6)):',
        '    w = SummaryWriter("logs/" + sub); w.add_tensor_scalar("epoch_loss", v, 0); w.close()',
      ].join('\n'),
      dir,
    );
    const r = readTensorboardMetrics(path.join(dir, 'logs'), { source: 'tb' });
    expect(Object.keys(r.metrics).sort()).toEqual(['train/epoch_loss', 'validation/epoch_loss']);
    expect(r.metrics['validation/epoch_loss']!.value).toBe(0.6);
  });

  it('reports a file cut short or damaged instead of reading half of it', () => {
    const dir = tempDir();
    python(
      'from tb_writer import *\nw = SummaryWriter("runs")\nw.add_scalar("loss", 0.5, 0)\nw.add_scalar("loss", 0.25, 1)\nw.close()',
      dir,
    );
    const file = path.join(dir, 'runs', fs.readdirSync(path.join(dir, 'runs'))[0]!);
    const whole = fs.readFileSync(file);
    fs.writeFileSync(file, whole.subarray(0, whole.length - 3));
    expect(() => readTensorboardMetrics(path.join(dir, 'runs'), { source: 'tb' })).toThrow(
      /cut short.*none of its values/,
    );
    const flipped = Buffer.from(whole);
    flipped[whole.length - 8] = flipped[whole.length - 8]! ^ 0xff;
    fs.writeFileSync(file, flipped);
    expect(() => readTensorboardMetrics(path.join(dir, 'runs'), { source: 'tb' })).toThrow(/fails its CRC check/);
  });

  it('leaves out files older than the run and says so', () => {
    const dir = tempDir();
    python('from tb_writer import *\nw = SummaryWriter("runs")\nw.add_scalar("loss", 0.5, 0)\nw.close()', dir);
    const r = readTensorboardMetrics(path.join(dir, 'runs'), { source: 'tb', modifiedSince: Date.now() + 60_000 });
    expect(r.metrics).toEqual({});
    expect(r.notes.join(' ')).toContain('predate the run');
    expect(() => readTensorboardMetrics(path.join(dir, 'nope'), { source: 'tb' })).toThrow(
      /was not written by the run/,
    );
  });
});
