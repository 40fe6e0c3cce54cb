/** The audit feature's public face: the operations, and the stored audits reports are built from. */
export { auditOperations } from './audit-operations';
export { auditsOf } from './audit-store';
