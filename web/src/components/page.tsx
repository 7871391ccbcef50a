import { type ReactNode, useEffect, useRef } from 'react';

/**
 * A page: its title in the tab and one h1. After a client-side navigation, focus moves to the
 * heading so screen reader and keyboard users start at the new page, as after a full load.
 */
export function Page({
  title,
  children,
  actions,
}: {
  title: string;
  children: ReactNode;
  actions?: ReactNode;
}) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · ModelGuard`;
  }, [title]);
  useEffect(() => {
    if (navigatedWithinApp) heading.current?.focus();
    navigatedWithinApp = true;
  }, []);
  return (
    <>
      <div className="page-heading">
        <h1 ref={heading} tabIndex={-1}>
          {title}
        </h1>
        {actions}
      </div>
      {children}
    </>
  );
}

/** The first page shown after a full load keeps the browser's own focus start. */
let navigatedWithinApp = false;
