/** JSON.parse that answers undefined instead of throwing, for bodies whose shape is checked right after anyway. */
export function tryParseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
