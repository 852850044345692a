/** Small line icons for the navigation (decorative: each link has its text). */
const PATHS: Record<string, string> = {
  plugins: 'M4 4h7v7H4zM13 4h7v7h-7zM4 13h7v7H4zM16.5 13v7M13 16.5h7',
  catalog: 'M4 6h16M4 12h16M4 18h10M18 16l2 2-2 2',
  runs: 'M7 5l12 7-12 7z',
  settings: 'M4 7h10M18 7h2M4 17h4M12 17h8M16 5v4M10 15v4',
};

export function NavIcon({ name }: { name: string }) {
  return (
    <svg
      className="nav-svg"
      viewBox="0 0 24 24"
      width="18"
      height="18"
      aria-hidden="true"
      focusable="false"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.8"
      strokeLinecap="round"
      strokeLinejoin="round"
    >
      <path d={PATHS[name] ?? ''} />
    </svg>
  );
}
