import { BellOutlined } from '@ant-design/icons';
import { Badge, Button, Empty, List, Popover, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate } from 'react-router-dom';
import { notices } from '../api/endpoints';
import type { InboxItem, TodoCounts } from '../api/models';
import { currentLanguage } from '../i18n';
import { fmtDateTime } from '../lib/format';
import { useProblemNotice } from './problems';

/** The to-do counts (from the API's projections), read again on every page change and every minute. */
export function useTodo(): TodoCounts | null {
  const location = useLocation();
  const [todo, setTodo] = useState<TodoCounts | null>(null);
  useEffect(() => {
    let live = true;
    const load = () =>
      notices.todo().then(
        (t) => live && setTodo(t),
        () => undefined,
      );
    void load();
    const every = setInterval(load, 60_000);
    return () => {
      live = false;
      clearInterval(every);
    };
  }, [location.pathname]);
  return todo;
}

/** What each page of the menu has waiting, for its badge. */
export function todoOf(path: string, t: TodoCounts | null): number {
  if (!t) return 0;
  switch (path) {
    case '/unit':
      return t.toDraft + t.toSign;
    case '/office':
      return t.toReceive;
    case '/supervision':
      return t.casesDue + t.casesToReview;
    case '/year-end':
      return t.proposalsToApprove;
    default:
      return 0;
  }
}

/** The bell in the header: unread notices, the latest listed; opening one marks it read and goes to its page. */
export function NoticeBell({ unread }: { unread: number }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const notice = useProblemNotice();
  const [open, setOpen] = useState(false);
  const [items, setItems] = useState<InboxItem[] | null>(null);
  const [count, setCount] = useState(unread);
  useEffect(() => setCount(unread), [unread]);
  const load = useCallback(() => notices.inbox().then((b) => (setItems(b.items), setCount(b.unread)), notice), [notice]);
  const lang = currentLanguage() === 'en-US' ? 'en' : 'zh';
  const openItem = async (i: InboxItem) => {
    if (!i.readAt) await notices.read(i.noticeId).catch(notice);
    setOpen(false);
    if (i.link) navigate(i.link);
    void load();
  };
  return (
    <Popover
      trigger="click"
      open={open}
      onOpenChange={(o) => {
        setOpen(o);
        if (o) void load();
      }}
      title={t('notices.inbox')}
      content={
        <div style={{ width: 360, maxHeight: 420, overflow: 'auto' }} data-testid="inbox">
          {items && items.length === 0 ? (
            <Empty description={t('notices.none')} />
          ) : (
            <List
              size="small"
              loading={!items}
              dataSource={items ?? []}
              renderItem={(i) => (
                <List.Item>
                  <Button type="link" style={{ padding: 0, height: 'auto', textAlign: 'left', whiteSpace: 'normal' }} onClick={() => void openItem(i)}>
                    <span style={{ fontWeight: i.readAt ? 'normal' : 'bold' }}>{i.title[lang]}</span>
                  </Button>
                  <div>
                    <Typography.Text type="secondary">{fmtDateTime(i.issuedAt)}</Typography.Text>
                  </div>
                  <div>{i.body[lang]}</div>
                </List.Item>
              )}
            />
          )}
        </div>
      }
    >
      {/* The name is the hidden text (the badge's digits are drawn for the eye only): a label that contains what is visible. */}
      <Button type="text" style={{ color: 'inherit' }} data-testid="notice-bell">
        <span aria-hidden>
          <Badge count={count} size="small">
            <BellOutlined style={{ color: 'inherit', fontSize: 16 }} />
          </Badge>
        </span>
        <span className="visually-hidden">{t('notices.bell', { count })}</span>
      </Button>
    </Popover>
  );
}
