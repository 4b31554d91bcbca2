"""Sign-in in the store: wrong passcodes counted per key (a session's, "server"), signed-out tokens,
and the key that signs sign-in tokens. Written for viewers too (a wrong passcode is typed by someone
who is not an editor yet); none of it is plan data: no history, no data version."""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from sqlalchemy import and_, delete, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from core.store.schema import schema_info, signin_failures


def _key(key: object) -> str:
    return str(key)[:80]  # the column's width


class SigninMixin:
    """The Store's sign-in bookkeeping (``Store`` mixes this in)."""

    engine: Engine

    def record_signin_failure(self, keys: Iterable[str], at: float, forget_before: float) -> None:
        """Count one wrong passcode under each key (the session's, "server") at ``at`` (epoch seconds);
        failures older than ``forget_before`` are dropped."""
        rows = [{"key": _key(k), "failed_at": float(at)} for k in keys]
        with self.engine.begin() as conn:
            if rows:
                conn.execute(insert(signin_failures), rows)
            conn.execute(delete(signin_failures).where(signin_failures.c.failed_at < forget_before))

    def signin_failure_times(self, keys: Iterable[str], since: float) -> dict[str, list[float]]:
        """Times of the failures under each key since ``since``, oldest first."""
        wanted = [_key(k) for k in keys]
        out: dict[str, list[float]] = {k: [] for k in wanted}
        q = (
            select(signin_failures.c.key, signin_failures.c.failed_at)
            .where(and_(signin_failures.c.key.in_(wanted), signin_failures.c.failed_at >= since))
            .order_by(signin_failures.c.failed_at)
        )
        with self.engine.connect() as conn:
            for key, at in conn.execute(q):
                out[key].append(float(at))
        return out

    def clear_signin_failures(self, key: str) -> None:
        """Forget a session's failures (after it gave the right passcode); the server's count stays."""
        with self.engine.begin() as conn:
            conn.execute(delete(signin_failures).where(signin_failures.c.key == _key(key)))

    def withdraw_signin_failure(self, keys: Iterable[str], at: float) -> None:
        """Take back the failure counted under ``keys`` at ``at`` (a try is counted before the code is
        looked at, so that it is counted at all; a right code or a refused try is then withdrawn)."""
        wanted = [_key(k) for k in keys]
        with self.engine.begin() as conn:
            conn.execute(
                delete(signin_failures).where(
                    and_(signin_failures.c.key.in_(wanted), signin_failures.c.failed_at == float(at))
                )
            )

    # A sign-out ends a day's sign-in token before its time: its id is kept (in the same table, under
    # "signout:<id>" at the token's expiry) until the token would have expired anyway.
    def end_signin_token(self, token_id: str, expires: float) -> None:
        """Record that the sign-in token ``token_id`` (valid until ``expires``) has been signed out."""
        with self.engine.begin() as conn:
            conn.execute(insert(signin_failures).values(key=_key(f"signout:{token_id}"), failed_at=float(expires)))

    def signin_token_ended(self, token_id: str) -> bool:
        """Whether the sign-in token ``token_id`` has been signed out."""
        q = select(signin_failures.c.id).where(signin_failures.c.key == _key(f"signout:{token_id}")).limit(1)
        with self.engine.connect() as conn:
            return conn.execute(q).first() is not None

    def signin_secret(self) -> str:
        """The key that signs sign-in tokens: made once, kept in the store so every app process agrees.
        Raises StoreUnavailable when it does not exist yet and cannot be written."""
        known = getattr(self, "_signin_secret", None)  # it never changes once made: read once per process
        if known:
            return known
        q = select(schema_info.c.value).where(schema_info.c.key == "signin_secret")
        with self.engine.connect() as conn:
            row = conn.execute(q).first()
        if row is not None:
            self._signin_secret = str(row[0])
            return self._signin_secret
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(schema_info).values(key="signin_secret", value=secrets.token_hex(32)))
        except IntegrityError:  # another process made it at the same moment: theirs counts
            pass
        with self.engine.connect() as conn:
            self._signin_secret = str(conn.execute(q).one()[0])
        return self._signin_secret
