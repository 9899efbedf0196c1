import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { auth } from '../api/endpoints';
import { ApiProblem, onSessionProblem, preloaded } from '../api/http';
import type { Role, User } from '../api/models';

export type SessionStatus = 'loading' | 'anonymous' | 'must-change' | 'ready';

interface SessionValue {
  status: SessionStatus;
  user: User | undefined;
  login(username: string, password: string): Promise<void>;
  logout(): Promise<void>;
  passwordChanged(): Promise<void>;
}

const SessionContext = createContext<SessionValue | undefined>(undefined);

/**
 * Who is signed in. The session itself is the API's HTTP-only cookie; the UI only asks /auth/me and
 * hears every 401 (the session ended) and 403 password-change-required from any request.
 */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<SessionStatus>('loading');
  const [user, setUser] = useState<User | undefined>();

  const refresh = useCallback(async (first?: boolean) => {
    try {
      // The first asking was sent by src/preload.ts as the page loaded; a later one (a changed password) asks again.
      const me = first ? await preloaded('me', () => auth.me()) : await auth.me();
      setUser(me.user);
      setStatus('ready');
    } catch (err) {
      if (err instanceof ApiProblem && err.code === 'password-change-required') setStatus('must-change');
      else setStatus('anonymous');
    }
  }, []);

  useEffect(() => {
    onSessionProblem((p) => {
      if (p.code === 'password-change-required') setStatus('must-change');
      else if (p.status === 401 && !p.body.instance?.endsWith('/auth/login')) {
        setUser(undefined);
        setStatus('anonymous');
      }
    });
    void refresh(true);
  }, [refresh]);

  const value = useMemo<SessionValue>(
    () => ({
      status,
      user,
      async login(username, password) {
        const answer = await auth.login(username, password);
        setUser(answer.user);
        setStatus(answer.mustChangePassword ? 'must-change' : 'ready');
      },
      async logout() {
        try {
          await auth.logout();
        } finally {
          setUser(undefined);
          setStatus('anonymous');
        }
      },
      passwordChanged: () => refresh(),
    }),
    [status, user, refresh],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const v = useContext(SessionContext);
  if (!v) throw new Error('useSession outside SessionProvider');
  return v;
}

export function hasRole(user: User | undefined, ...roles: Role[]): boolean {
  return !!user && user.roles.some((r) => (roles as readonly string[]).includes(r));
}
