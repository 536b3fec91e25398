import { useEffect, useRef, type ReactNode } from 'react';

/**
 * Focus moves to the heading when the page changes, so keyboard and screen
 * reader users land on the new content instead of staying in the sidebar.
 */
export function PageHeader({ title, subtitle, children }: { title: string; subtitle?: string; children?: ReactNode }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (document.activeElement?.closest('nav')) heading.current?.focus();
  }, []);
  return (
    <header className="page-header">
      <div>
        <h1 ref={heading} tabIndex={-1}>
          {title}
        </h1>
        {subtitle && <p className="page-subtitle">{subtitle}</p>}
      </div>
      {children && <div className="page-tools">{children}</div>}
    </header>
  );
}
