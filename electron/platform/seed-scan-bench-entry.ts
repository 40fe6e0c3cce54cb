/** The entry scripts/bench/seed-scan.mjs bundles: the probe and the corpus measurement. */
export { probePython } from './python-probe';
export { formatCorpusScore, readCorpusLabels, scanCorpus, scoreCorpus } from './seed-scan-corpus';
