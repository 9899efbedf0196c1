import { SearchOutlined } from '@ant-design/icons';
import { Button, Empty, Input, Select, Space, type TablePaginationConfig } from 'antd';
import { cloneElement, isValidElement, useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router-dom';

/**
 * Search, filters and pagination of a table, kept in the address (issue 15) so that a link shows
 * the same view: `?users.q=王&users.role=head&users.page=2`. Each table names its own prefix, so
 * two tables on one page keep their own. The filtering is done here, in the browser, on the rows
 * the page loaded; the API's `?q=`/`?after=`/`?limit=` can take it over without changing the address.
 */
export interface TableView {
  /** The search text as typed ('' when none). */
  q: string;
  /** A filter's value, or undefined when it is not set. */
  filter: (name: string) => string | undefined;
  /** Sets the search or a filter (null clears it); the table goes back to its first page. */
  set: (name: string, value: string | null | undefined) => void;
  /** Clears the search and every filter. */
  clear: () => void;
  /** Whether the search or any of `filters` is set: the rows shown are not all there are. */
  narrowed: boolean;
  pagination: TablePaginationConfig;
}

const PAGE_SIZES = [20, 50, 100];

export function useTableView(prefix: string, options: { filters?: string[]; pageSize?: number } = {}): TableView {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const key = useCallback((name: string) => `${prefix}.${name}`, [prefix]);
  const update = useCallback(
    (changes: Record<string, string | null | undefined>) =>
      setParams(
        (current) => {
          const next = new URLSearchParams(current);
          for (const [name, value] of Object.entries(changes)) {
            if (value) next.set(key(name), value);
            else next.delete(key(name));
          }
          return next;
        },
        { replace: true },
      ),
    [setParams, key],
  );
  const filters = options.filters ?? [];
  const defaultSize = options.pageSize ?? 50;
  const q = params.get(key('q')) ?? '';
  const size = Number(params.get(key('size')));
  const pageSize = PAGE_SIZES.includes(size) ? size : defaultSize;
  const current = Math.max(1, Math.floor(Number(params.get(key('page')))) || 1);
  const narrowed = !!q.trim() || filters.some((f) => !!params.get(key(f)));
  return {
    q,
    filter: (name) => params.get(key(name)) ?? undefined,
    set: (name, value) => update({ [name]: value, page: null }),
    clear: () => update(Object.fromEntries(['q', 'page', ...filters].map((f) => [f, null]))),
    narrowed,
    pagination: {
      current,
      pageSize,
      showSizeChanger: true,
      pageSizeOptions: PAGE_SIZES,
      hideOnSinglePage: false,
      size: 'small',
      showTotal: (total) => t('tables.total', { n: total }),
      // The arrows are icons only (hidden from screen readers, lib/a11y.ts): each is named in the reader's language.
      itemRender: (_page, type, original) =>
        type === 'prev' || type === 'next' || type === 'jump-prev' || type === 'jump-next'
          ? isValidElement<{ 'aria-label'?: string }>(original)
            ? cloneElement(original, { 'aria-label': t(`tables.page.${type}`) })
            : original
          : original,
      onChange: (page, nextSize) => update({ page: page > 1 && nextSize === pageSize ? String(page) : null, size: nextSize !== defaultSize ? String(nextSize) : null }),
    },
  };
}

export { matchesSearch } from '../lib/search';

export interface FilterSpec {
  name: string;
  /** The select's accessible name and placeholder ("all units"). */
  label: string;
  options: { value: string; label: ReactNode }[];
  width?: number;
}

/** The search box and filter selects above a table, their values in the address. */
export function TableToolbar({
  view,
  placeholder,
  filters = [],
  testId,
  extra,
  searchWidth = 220,
}: {
  view: TableView;
  placeholder: string;
  filters?: FilterSpec[];
  testId: string;
  extra?: ReactNode;
  /** Wide enough for the placeholder to be read whole. */
  searchWidth?: number;
}) {
  const { t } = useTranslation();
  // The box keeps what is typed: the address is updated after each key, and reading it back would
  // drop keys typed meanwhile (seen in Chromium: '设定目标' typed fast left '标'). The address wins only
  // when it changes from elsewhere (clear, a link, back).
  const [text, setText] = useState(view.q);
  const sent = useRef(new Set<string>());
  useEffect(() => {
    if (sent.current.has(view.q)) return;
    sent.current.clear();
    setText(view.q);
  }, [view.q]);
  return (
    <Space wrap style={{ marginBottom: 12 }} data-testid={`${testId}-toolbar`}>
      <Input
        allowClear
        prefix={<SearchOutlined aria-hidden />}
        placeholder={placeholder}
        aria-label={placeholder}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          sent.current.add(e.target.value);
          view.set('q', e.target.value);
        }}
        style={{ width: searchWidth, maxWidth: '100%' }}
        data-testid={`${testId}-search`}
      />
      {filters.map((f) => (
        <Select
          key={f.name}
          allowClear
          showSearch
          optionFilterProp="label"
          placeholder={f.label}
          aria-label={f.label}
          value={view.filter(f.name) ?? null}
          onChange={(v: string | null | undefined) => view.set(f.name, v ?? null)}
          options={f.options}
          style={{ minWidth: f.width ?? 140 }}
          data-testid={`${testId}-filter-${f.name}`}
        />
      ))}
      {view.narrowed && (
        <Button type="link" onClick={view.clear} data-testid={`${testId}-clear`}>
          {t('tables.clear')}
        </Button>
      )}
      {extra}
    </Space>
  );
}

/**
 * An empty table says what to do next (issue 15): a sentence, and the button where the reader can
 * act. When a search or filter hides every row, it says so and offers to clear them.
 */
export function EmptyState({ description, action, view }: { description: ReactNode; action?: ReactNode; view?: TableView }) {
  const { t } = useTranslation();
  if (view?.narrowed) {
    return (
      <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('tables.noMatch')} data-testid="empty-no-match">
        <Button onClick={view.clear}>{t('tables.clear')}</Button>
      </Empty>
    );
  }
  return (
    <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={description} data-testid="empty-state">
      {action}
    </Empty>
  );
}
