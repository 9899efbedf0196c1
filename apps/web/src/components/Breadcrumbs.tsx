import { Breadcrumb } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, matchPath, useLocation } from 'react-router-dom';
import { ROUTE_CRUMBS, type RouteCrumb } from '../app/routes';
import { fmtPeriod } from '../lib/format';

/** The trail of pages above the current one, read from the route table: a page at the top level shows none. */
export function crumbsOf(pathname: string): { crumb: RouteCrumb; params: Record<string, string | undefined>; url: string }[] {
  const here = ROUTE_CRUMBS.map((crumb) => ({ crumb, match: matchPath(crumb.path, pathname) })).find((x) => x.match);
  if (!here?.match) return [];
  const trail = [{ crumb: here.crumb, params: here.match.params, url: here.match.pathname }];
  for (let parent = here.crumb.parent; parent;) {
    const up = ROUTE_CRUMBS.find((c) => c.path === parent);
    if (!up) break;
    trail.unshift({ crumb: up, params: {}, url: up.path });
    parent = up.parent;
  }
  return trail.length > 1 ? trail : [];
}

export function Breadcrumbs() {
  const { t } = useTranslation();
  const { pathname } = useLocation();
  const trail = crumbsOf(pathname);
  if (!trail.length) return null;
  return (
    <nav aria-label={t('crumbs.label')} className="breadcrumbs no-print" data-testid="breadcrumbs">
      <Breadcrumb
        items={trail.map(({ crumb, params, url }, i) => {
          const title = t(crumb.title, { ...params, period: fmtPeriod(params.period) });
          return i === trail.length - 1 ? { title: <span aria-current="page">{title}</span> } : { title: <Link to={url}>{title}</Link> };
        })}
      />
    </nav>
  );
}
