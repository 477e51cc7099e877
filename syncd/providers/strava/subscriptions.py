"""The Strava app's one push subscription (`syncd webhook subscribe/status/unsubscribe`);
its id is kept in the state."""

from __future__ import annotations

import hashlib
import hmac
from typing import TYPE_CHECKING, Any

from syncd.errors import ProviderError

if TYPE_CHECKING:
    from syncd.providers.strava.api import StravaApp
    from syncd.store import Store


def verify_token_for(client_secret: str) -> str:
    """The hub.verify_token syncd uses: an HMAC of the client secret (stable, unguessable)."""
    digest = hmac.new(client_secret.encode(), b"syncd strava webhook", hashlib.sha256)
    return digest.hexdigest()[:32]


def subscription_key(client_id: int) -> str:
    return f"subscription:{client_id}"


class Subscriptions:
    """The app's one push subscription at Strava; its id is kept in the state."""

    def __init__(self, app: StravaApp, store: Store) -> None:
        self.app = app
        self.store = store
        self.key = subscription_key(app.client_id)

    def _creds(self) -> dict[str, Any]:
        return {"client_id": self.app.client_id, "client_secret": self.app.client_secret}

    def subscribe(self, callback_url: str) -> int:
        """Create the subscription; Strava checks the callback answers its challenge first.
        Returns its id. Raises ProviderError (e.g. one already exists) or Unavailable."""
        from syncd.providers.strava.api import describe, raise_for

        what = "creating the webhook subscription"
        resp = self.app.post(
            "/api/v3/push_subscriptions",
            {
                **self._creds(),
                "callback_url": callback_url,
                "verify_token": verify_token_for(self.app.client_secret),
            },
            what,
        )
        if resp.status_code == 400:
            raise ProviderError(
                f"{what}: Strava refused it ({describe(resp)}). Is the daemon "
                "serving the callback at that URL? Is there a subscription "
                "already (see `syncd webhook status`)?"
            )
        raise_for(resp, what)
        ident = int(resp.json()["id"])
        self.store.set_provider_value("strava", self.key, {"id": ident, "callback_url": callback_url})
        return ident

    def status(self) -> list[dict[str, Any]]:
        """The app's subscriptions as Strava lists them (at most one)."""
        import logging as _logging

        from syncd.providers.strava.api import raise_for

        # Strava takes these credentials only in the query string; keep urllib3's debug
        # line (which prints the URL) out of syncd's log for this one call.
        quiet = _logging.getLogger("urllib3.connectionpool")
        level = quiet.level
        quiet.setLevel(_logging.INFO)
        try:
            resp = self._send("GET", "/api/v3/push_subscriptions", params=self._creds())
        finally:
            quiet.setLevel(level)
        raise_for(resp, "listing webhook subscriptions")
        subs = resp.json()
        return subs if isinstance(subs, list) else []

    def unsubscribe(self) -> int | None:
        """Delete the subscription (the saved one, else the one Strava lists); its id."""
        from syncd.providers.strava.api import raise_for

        saved = self.store.provider_value("strava", self.key)
        ident = saved.get("id") if isinstance(saved, dict) else None
        if ident is None:
            listed = self.status()
            ident = listed[0]["id"] if listed else None
        if ident is None:
            return None
        # credentials in the body, not the URL: Strava accepts that for DELETE
        resp = self._send("DELETE", f"/api/v3/push_subscriptions/{int(ident)}", data=self._creds())
        if resp.status_code != 404:
            raise_for(resp, "deleting the webhook subscription")
        self.store.set_provider_value("strava", self.key, None)
        return int(ident)

    def _send(self, method: str, path: str, **kwargs: Any) -> Any:
        import requests

        from syncd.errors import Unavailable

        try:
            return self.app.session.request(
                method, f"{self.app.base_url}{path}", timeout=self.app.timeout, **kwargs
            )
        except requests.RequestException as exc:
            raise Unavailable(f"Strava cannot be reached ({type(exc).__name__})") from None
