/**
 * The compliance board's on-time rates, computed as the workbook export computes them: the pure
 * function lives with the reporting workflow and the web imports it here, never a copy.
 */
export { complianceRates, onTimeOf, rateOf, type ComplianceRates, type Rate } from '../../../../libs/workflows/reporting/compliance-rates.js';
