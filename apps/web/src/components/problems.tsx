import { Alert, App, type FormInstance } from 'antd';
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiProblem } from '../api/http';
import i18n from '../i18n';

/**
 * The one error layer: every API error is an RFC 9457 problem with a stable `code`. Known codes are
 * said in the user's language (the `problems` namespace); the API's own `detail` follows, since it
 * names the specific field, report or indicator.
 */
export function problemTitle(err: unknown): string {
  if (err instanceof ApiProblem) {
    const key = `problems:${err.code}`;
    return i18n.exists(key) ? i18n.t(key) : err.detail || i18n.t('problems:unknown');
  }
  return err instanceof Error ? err.message : String(err);
}

export function problemText(err: unknown): string {
  if (err instanceof ApiProblem) {
    const title = problemTitle(err);
    return err.detail && err.detail !== title ? `${title} — ${err.detail}` : title;
  }
  return problemTitle(err);
}

export function ProblemAlert({ error, style }: { error: unknown; style?: React.CSSProperties }) {
  const { t } = useTranslation();
  if (!error) return null;
  const p = error instanceof ApiProblem ? error : undefined;
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      data-problem-code={p?.code}
      style={{ marginBottom: 16, ...style }}
      title={problemTitle(error)}
      description={
        p ? (
          <>
            {p.errors.length > 0 && (
              <ul className="problem-fields">
                {p.errors.map((e, i) => (
                  <li key={i}>
                    <strong>{e.field}</strong>: {e.message}
                  </li>
                ))}
              </ul>
            )}
            {p.detail && p.detail !== problemTitle(error) && (
              <div className="problem-detail">
                {t('problem.detail')}: {p.detail}
              </div>
            )}
          </>
        ) : undefined
      }
    />
  );
}

/** Shows a failed command as a notification; field errors also go on the form's fields. */
export function useProblemNotice() {
  const { notification } = App.useApp();
  return useCallback(
    (err: unknown, form?: FormInstance) => {
      const p = err instanceof ApiProblem ? err : undefined;
      if (form && p?.errors.length) {
        const known = new Set(Object.keys(form.getFieldsValue(true) as object));
        const fields = p.errors.map((e) => ({ name: fieldPath(e.field), errors: [e.message] })).filter((f) => known.has(String(f.name[0])));
        form.setFields(fields);
        // Focus goes to the first field the API refused, not to the page body.
        if (fields[0]) form.scrollToField(fields[0].name, { focus: true, block: 'center' });
      }
      notification.error({
        title: problemTitle(err),
        description: p ? [p.errors.map((e) => `${e.field}: ${e.message}`).join('; '), p.detail].filter(Boolean).join(' — ') : undefined,
        duration: 8,
        className: 'problem-notice',
      });
    },
    [notification],
  );
}

/** 'lines[0].analysis' → ['lines', 0, 'analysis'] (antd's name path). */
export function fieldPath(field: string): (string | number)[] {
  return field
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter(Boolean)
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}
