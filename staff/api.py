"""The supervisor's calls to the server: fleet, progress, history, feedback, metrics,
messages, reassignment and exports (docs/api.md, "Live supervision").

`SupervisorApi` is the tablet's `ApiClient` (same deadlines, typed errors, capped
answers) with the staff endpoints added; a request refused with 401 renews the session
with the refresh token once and is tried again. Exports come back as the raw bytes the
server wrote (CSV or GeoJSON), to be saved as files unchanged.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Final, TypeVar
from urllib.parse import quote

from client.api import ApiClient
from client.errors import LoginRequired, NetworkUnavailable

EXPORT_KINDS: Final = ("progress", "exceptions", "feedback")
EXPORT_FORMATS: Final = ("csv", "geojson")
ALL_OPERATORS: Final = "*"

T = TypeVar("T")


def _query(**params: str | None) -> str:
    kept = {k: v for k, v in params.items() if v not in (None, "")}
    if not kept:
        return ""
    return "?" + "&".join(f"{k}={quote(str(v), safe='')}" for k, v in kept.items())


def _segment(text: str) -> str:
    return quote(text, safe="")


class SupervisorApi(ApiClient):
    """Staff endpoints over one `httpx.AsyncClient` (log in with `login` first)."""

    def adopt_session(self, token: str, refresh_token: str | None) -> None:
        """Use a session another client logged in (the login screen's)."""
        self.token = token
        self.refresh_token = refresh_token

    async def _renewing(self, call: Callable[[], Awaitable[T]]) -> T:
        try:
            return await call()
        except LoginRequired:
            if not await self.refresh_session():
                raise
            return await call()

    async def _get(self, path: str, *expect: str) -> dict[str, Any]:
        return await self._renewing(lambda: self._request("GET", path, expect=expect))

    async def _post(self, path: str, body: dict[str, Any], *expect: str) -> dict[str, Any]:
        return await self._renewing(
            lambda: self._request("POST", path, json_body=body, expect=expect)
        )

    # -- reads ----------------------------------------------------------------------------

    async def fleet(self) -> dict[str, Any]:
        """`{"server_time", "date", "vehicles": [...]}` (today's assignments)."""
        return await self._get("/api/v1/fleet", "vehicles")

    async def routes(self) -> list[dict[str, Any]]:
        return list((await self._get("/api/v1/routes", "routes"))["routes"])

    async def assignments(
        self, *, date: str | None = None, operator: str | None = None
    ) -> list[dict[str, Any]]:
        path = "/api/v1/assignments" + _query(date=date, operator=operator)
        return list((await self._get(path, "assignments"))["assignments"])

    async def progress(self, *, date: str | None = None) -> list[dict[str, Any]]:
        """Per route: length, swept length, segments, operators (assigned on `date`)."""
        path = "/api/v1/progress" + _query(date=date)
        return list((await self._get(path, "routes"))["routes"])

    async def history(self, route_id: str) -> list[dict[str, Any]]:
        """Per segment of the route: passes, last sweep, every sweep and exception."""
        path = f"/api/v1/routes/{_segment(route_id)}/history"
        return list((await self._get(path, "segments"))["segments"])

    async def feedback(
        self,
        *,
        operator: str | None = None,
        route_id: str | None = None,
        form_id: str | None = None,
        question: str | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> list[dict[str, Any]]:
        """Form answers and free comments, oldest first, filtered as given."""
        path = "/api/v1/feedback" + _query(
            operator=operator,
            route_id=route_id,
            form_id=form_id,
            question=question,
            since=since,
            until=until,
        )
        return list((await self._get(path, "items"))["items"])

    async def forms(self) -> list[dict[str, Any]]:
        """The latest version of every form (for the inbox's question filter)."""
        return list((await self._get("/api/v1/forms", "forms"))["forms"])

    async def metrics(
        self, *, since: str | None = None, until: str | None = None
    ) -> dict[str, Any]:
        path = "/api/v1/metrics" + _query(since=since, until=until)
        return await self._get(path, "completion", "speed_histogram")

    async def facts(self, *, device_id: str, after: int = 0, limit: int = 1000) -> dict[str, Any]:
        """One page of the device's facts as stored (`facts`, `has_more`), oldest first."""
        path = "/api/v1/facts" + _query(device_id=device_id, after=str(after), limit=str(limit))
        return await self._get(path, "facts")

    async def equity(self) -> list[dict[str, Any]]:
        return list((await self._get("/api/v1/equity", "areas"))["areas"])

    # -- messages and reassignment ---------------------------------------------------------

    async def messages(self, *, limit: int = 200) -> list[dict[str, Any]]:
        """Sent messages, newest first, each with its recipients' delivery and ack times."""
        path = "/api/v1/messages" + _query(limit=str(limit))
        return list((await self._get(path, "messages"))["messages"])

    async def send_message(self, text: str, to: str = ALL_OPERATORS) -> dict[str, Any]:
        """Send `text` to one operator (username) or to all (`"*"`)."""
        data = await self._post("/api/v1/messages", {"text": text, "to": to}, "message")
        return dict(data["message"])

    async def reassign(
        self,
        assignment_id: str,
        device_id: str,
        *,
        operator: str | None = None,
        vehicle: str | None = None,
    ) -> dict[str, Any]:
        """Give the assignment's route to another device (and operator); its summary."""
        body: dict[str, Any] = {"device_id": device_id}
        if operator:
            body["operator"] = operator
        if vehicle:
            body["vehicle"] = vehicle
        path = f"/api/v1/assignments/{_segment(assignment_id)}/reassign"
        return dict((await self._post(path, body, "assignment"))["assignment"])

    # -- exports --------------------------------------------------------------------------

    async def export(self, kind: str, fmt: str) -> bytes:
        """The export's bytes exactly as the server wrote them (CSV or GeoJSON)."""
        if kind not in EXPORT_KINDS:
            raise ValueError(f"unknown export {kind!r}: one of {', '.join(EXPORT_KINDS)}")
        if fmt not in EXPORT_FORMATS:
            raise ValueError(f"unknown format {fmt!r}: one of {', '.join(EXPORT_FORMATS)}")
        return await self._renewing(lambda: self._raw("GET", f"/api/v1/export/{kind}?format={fmt}"))

    async def evidence(self, route_id: str, segment_id: str, *, lang: str = "en") -> bytes:
        """The segment's evidence as one printable HTML page."""
        path = f"/api/v1/evidence/{_segment(route_id)}/{_segment(segment_id)}" + _query(lang=lang)
        return await self._renewing(lambda: self._raw("GET", path))

    async def daily_report(self, day: str | None = None, *, lang: str = "en") -> bytes:
        """The day's pilot report (default: the server's today) as one HTML page."""
        path = "/api/v1/reports/daily" + _query(date=day, lang=lang)
        return await self._renewing(lambda: self._raw("GET", path))

    async def _raw(self, method: str, path: str) -> bytes:
        if not self.token:
            raise LoginRequired("not logged in")
        headers = {"Authorization": f"Bearer {self.token}"}
        response, body = await self._send(method, path, content=None, headers=headers)
        if response.status_code >= 300:
            # The JSON error checks (401 → LoginRequired, 4xx → ServerRefused, …).
            self._check(response, body, ())
            raise NetworkUnavailable(f"unexpected answer ({response.status_code})")
        return body
