// Where the login page goes after signing in: the `rd` path the server sent the browser with,
// if it is a same-origin path (the server refuses other rd values before serving the page).
export function safeTarget(rd: string | null, prefix: string): string {
  if (!rd || !rd.startsWith('/') || rd.startsWith('//') || /[\u0000-\u001f\\]/.test(rd)) return prefix + '/';
  return rd;
}
