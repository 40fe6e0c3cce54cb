/** The compare feature's public face: comparing two stored runs, with their code history where it is on this machine. */
export { compareOperations, enrichCodeComparison } from './compare-operations';
export { computeDataShift, dataShiftsOf, enrichDataShift, type DataShiftOptions } from './data-shift-operations';
