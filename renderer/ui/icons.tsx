/** Inline SVG icons (decorative; labels carry the meaning). Stroke follows `currentColor`. */
const PATHS = {
  overview: 'M4 4h7v7H4zM13 4h7v4h-7zM13 10h7v10h-7zM4 13h7v7H4z',
  requests: 'M4 7h13M13 3l4 4-4 4M20 17H7M11 13l-4 4 4 4',
  logs: 'M5 5h14M5 9h10M5 13h14M5 17h8',
  metrics: 'M4 20V4M4 20h16M8 16l4-5 3 3 5-7',
  bundle: 'M4 7l8-4 8 4v10l-8 4-8-4zM4 7l8 4 8-4M12 11v10',
  doctor: 'M9 12l2 2 4-4M12 3l7 3v5c0 5-3 8-7 10-4-2-7-5-7-10V6z',
  wizard: 'M12 5v14M5 12h14',
  integrations: 'M9 7H6a3 3 0 000 6h3M15 7h3a3 3 0 010 6h-3M8 10h8',
} as const;

export type IconName = keyof typeof PATHS;

export function Icon({ name, size = 18 }: { name: IconName; size?: number }) {
  return (
    <svg
      className="icon"
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.8"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      <path d={PATHS[name]} />
    </svg>
  );
}
