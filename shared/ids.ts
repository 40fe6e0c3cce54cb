/** A new random identifier: 24 hex digits; any unique prefix of it names the record (lists show 8). */
export function newId(random: () => number = Math.random): string {
  let id = '';
  for (let i = 0; i < 24; i++) id += Math.floor(random() * 16).toString(16);
  return id;
}

/** The short form of an id shown in lists. */
export function shortId(id: string): string {
  return id.slice(0, 8);
}
