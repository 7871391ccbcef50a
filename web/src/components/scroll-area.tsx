import type { ReactNode } from 'react';

/**
 * A region that scrolls on its own (a wide table or graph on a phone, a long log). It takes focus
 * so keyboard users can scroll it too, and its label says what it holds.
 */
export function ScrollArea({
  label,
  className,
  children,
}: {
  label: string;
  className: string;
  children: ReactNode;
}) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard (WCAG 2.1.1)
    <section className={className} tabIndex={0} aria-label={label}>
      {children}
    </section>
  );
}
