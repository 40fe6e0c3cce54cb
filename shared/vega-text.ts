// Text handed to Vega that is spelled like a property of Object.prototype, changed so Vega draws it.

/**
 * Vega's parser looks some texts up in its own plain-object tables: an axis or chart title that is exactly
 * `constructor`, `toString`, `valueOf` or `hasOwnProperty` fails the whole chart ("Operator not defined:
 * undefined"), and `__proto__` is drawn as nothing. A metric may be named so (MLflow allows it), so such a text
 * gets a zero-width space after it: drawn the same, read the same by screen readers, no longer the table's key.
 */
export function vegaText(text: string): string {
  return text in Object.prototype ? `${text}\u200b` : text;
}
