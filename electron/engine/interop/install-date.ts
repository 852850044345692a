// The `installed` field of plugins.toml as the fledge CLI 1.8 writes it: the LOCAL date, YYYY-MM-DD
// (chrono::Local::now().format("%Y-%m-%d")), not a UTC timestamp.

export function installDate(now: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}
