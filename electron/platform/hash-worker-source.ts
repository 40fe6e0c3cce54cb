// The source of HashPool's worker thread: it hashes single files, and takes files of a shared job one at a time.

/** Bytes read per call: large reads keep the SHA-256 core busy and the syscall count low. */
export const HASH_CHUNK = 4 * 1024 * 1024;

// The worker is evaluated from source text so that it runs the same whether reproscope is
// bundled (dist/) or run from TypeScript sources in tests.
//
// A job is a list of files every worker holds a copy of (sent in chunks while the folder is still being listed) and
// one shared counter: a worker takes the next file with Atomics.add, so no worker idles while another has a queue,
// whatever the mix of sizes and whatever else the cores are running. Results go back in batches: 32-byte digests,
// sizes and indices in typed arrays that are transferred, not copied.
/** The hash worker's source, evaluated by HashPool. */
export const HASH_WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const crypto = require('node:crypto');
const fs = require('node:fs');
const CHUNK = ${HASH_CHUNK};
const buffer = Buffer.allocUnsafe(CHUNK);
const oneShot = typeof crypto.hash === 'function' ? crypto.hash : null;
// O_NONBLOCK: a file swapped for a FIFO after the listing cannot block the worker (regular files ignore it)
const FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK || 0);
const FLUSH_FILES = 128;
const FLUSH_BYTES = 16 * 1024 * 1024;
// ids: where a job asks for the file's identity, its fstat (of the file opened, before the read) goes there as
// dev, ino, mtimeNs, ctimeNs (at 4 * k) and its size (at k); it also says whether the file is still regular
function hashInto(path, out, at, ids, k) {
  const fd = fs.openSync(path, FLAGS);
  try {
    if (ids !== null) {
      const st = fs.fstatSync(fd, { bigint: true });
      if (!st.isFile()) throw Object.assign(new Error('it is no longer a regular file'), { code: 'ENOTREG' });
      ids.stamps[4 * k] = st.dev; ids.stamps[4 * k + 1] = st.ino;
      ids.stamps[4 * k + 2] = st.mtimeNs; ids.stamps[4 * k + 3] = st.ctimeNs;
      ids.sizes[k] = Number(st.size);
    }
    let n = fs.readSync(fd, buffer, 0, CHUNK, null);
    // a regular file reads short only at its end: a file smaller than the buffer is one read and one hash call
    if (n > 0 && n < CHUNK) {
      const data = buffer.subarray(0, n);
      out.set(oneShot ? oneShot('sha256', data, 'buffer') : crypto.createHash('sha256').update(data).digest(), at);
      return n;
    }
    // empty, or a buffer long: only then is a stat worth its cost (a device swapped in would never end)
    if (ids === null && !fs.fstatSync(fd).isFile()) throw Object.assign(new Error('it is no longer a regular file'), { code: 'ENOTREG' });
    const hash = crypto.createHash('sha256');
    let size = 0;
    while (n > 0) {
      hash.update(n === CHUNK ? buffer : buffer.subarray(0, n));
      size += n;
      n = fs.readSync(fd, buffer, 0, CHUNK, null);
    }
    out.set(hash.digest(), at);
    return size;
  } finally { fs.closeSync(fd); }
}
// The two buffers of the single file being hashed, kept for the next.
const spares = [];
// Single files wait here and are hashed one at a time: a worker given a thousand at once holds two buffers, not two
// thousand (the overlap is within a file, between its next read and this thread's hashing).
const alone = [];
let aloneBusy = false;
function nextAlone() {
  // a loop, not recursion: a file that fits one read (or fails to open) is done before hashAlone returns
  while (!aloneBusy && alone.length > 0) {
    aloneBusy = true;
    const m = alone.shift();
    let returned = false;
    hashAlone(m.path, (e, sha256) => {
      parentPort.postMessage(e ? { id: m.id, error: e.message, code: e.code } : { id: m.id, sha256 });
      aloneBusy = false;
      if (returned) nextAlone();
    });
    returned = true;
  }
}
// A single file, not a job's: past its first chunk the next read runs on libuv's thread pool while this thread hashes
// the chunk before it, so a big file hashes at SHA-256's speed, not SHA-256's plus the copy out of the page cache
// (on another core, which a single file leaves idle). The checks are hashInto's; done(error, sha256 hex).
function hashAlone(path, done) {
  let fd;
  try { fd = fs.openSync(path, FLAGS); } catch (e) { done(e); return; }
  const bufs = [spares.pop() || Buffer.allocUnsafe(CHUNK), spares.pop() || Buffer.allocUnsafe(CHUNK)];
  const finish = (e, sha) => {
    try { fs.closeSync(fd); } catch {}
    spares.push(bufs[0], bufs[1]);
    done(e, sha);
  };
  let n;
  try {
    n = fs.readSync(fd, bufs[0], 0, CHUNK, null);
    if (n > 0 && n < CHUNK) {
      const data = bufs[0].subarray(0, n);
      finish(null, oneShot ? oneShot('sha256', data, 'hex') : crypto.createHash('sha256').update(data).digest('hex'));
      return;
    }
    if (!fs.fstatSync(fd).isFile()) throw Object.assign(new Error('it is no longer a regular file'), { code: 'ENOTREG' });
  } catch (e) { finish(e); return; }
  const hash = crypto.createHash('sha256');
  let cur = 0;
  const step = (len) => {
    if (len === 0) { finish(null, hash.digest('hex')); return; }
    const next = 1 - cur;
    // one read in flight at a time, from the file's position: the chunks arrive in order
    fs.read(fd, bufs[next], 0, CHUNK, null, (e, m) => {
      if (e) { finish(e); return; }
      cur = next;
      step(m);
    });
    hash.update(len === CHUNK ? bufs[cur] : bufs[cur].subarray(0, len));
  };
  step(n);
}
const jobs = new Map();
function run(job) {
  let count = 0, bytes = 0, idx = null, sizes = null, digests = null, ids = null, errors = [];
  const flush = () => {
    if (count === 0 && errors.length === 0) return;
    const transfer = count > 0 ? [idx.buffer, sizes.buffer, digests.buffer] : [];
    if (count > 0 && ids !== null) transfer.push(ids.stamps.buffer, ids.sizes.buffer);
    parentPort.postMessage({ job: job.id, count, idx, sizes, digests, ids: count > 0 ? ids : null, errors }, transfer);
    count = 0; bytes = 0; idx = null; sizes = null; digests = null; ids = null; errors = [];
  };
  for (;;) {
    if (job.claimed < 0) job.claimed = Atomics.add(job.next, 0, 1);
    const i = job.claimed;
    if (i >= job.paths.length) {
      // past the end: this worker is done with the job; not yet listed: wait for the next chunk, holding the claim
      if (job.total >= 0 && i >= job.total) jobs.delete(job.id);
      break;
    }
    job.claimed = -1;
    if (digests === null) {
      idx = new Int32Array(FLUSH_FILES);
      sizes = new Float64Array(FLUSH_FILES);
      digests = new Uint8Array(32 * FLUSH_FILES);
      if (job.identify) ids = { stamps: new BigInt64Array(4 * FLUSH_FILES), sizes: new Float64Array(FLUSH_FILES) };
    }
    try {
      const n = hashInto(job.paths[i], digests, 32 * count, ids, count);
      idx[count] = i;
      sizes[count] = n;
      count++;
      bytes += n;
    } catch (e) {
      errors.push({ i, message: e.message, code: e.code });
    }
    if (count === FLUSH_FILES || bytes >= FLUSH_BYTES) flush();
  }
  flush();
}
parentPort.on('message', (m) => {
  if (m.job === undefined) {
    alone.push(m);
    nextAlone();
    return;
  }
  let job = jobs.get(m.job);
  if (m.claim) {
    job = { id: m.job, next: new Int32Array(m.claim), identify: m.identify, paths: [], total: -1, claimed: -1 };
    jobs.set(m.job, job);
  }
  if (!job) return;
  if (m.paths) for (const p of m.paths) job.paths.push(p);
  if (m.total !== undefined) job.total = m.total;
  run(job);
});
`;
