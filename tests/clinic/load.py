"""Patients' apps posting check-ins from several threads, as the drills' steady load.

Each client sends a check-in with a fresh Idempotency-Key, and sends it again with the same
key after a 503 until it is acknowledged (201), as the mobile app does; between check-ins it
reads its own list. Every answer is recorded with its time."""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import requests

CHECK_IN = {
    "pain_now": 2,
    "pain_activity": 3,
    "pain_character": "dull",
    "pain_course": "stable",
    "exercises_done": True,
    "walking_minutes": 15,
}


@dataclass
class Answer:
    method: str
    status: int  # 0: no answer (connection refused or cut)
    sent_at: float
    answered_at: float
    code: str = ""


@dataclass
class CheckInLoad:
    base_url: str
    tokens: list[str]
    retry_pause: float = 0.1
    answers: list[Answer] = field(default_factory=list)
    acknowledged: dict[str, int] = field(default_factory=dict)  # key -> check-in id
    unanswered_keys: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [
            threading.Thread(target=self._client, args=(token,), daemon=True)
            for token in self.tokens
        ]

    def start(self) -> CheckInLoad:
        for thread in self._threads:
            thread.start()
        return self

    def stop(self, timeout: float = 60) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout)

    def _record(self, answer: Answer) -> None:
        with self._lock:
            self.answers.append(answer)

    def _send(self, session, method: str, path: str, **kwargs) -> requests.Response | None:
        sent = time.monotonic()
        try:
            response = session.request(method, f"{self.base_url}{path}", timeout=30, **kwargs)
        except requests.RequestException:
            self._record(Answer(method, 0, sent, time.monotonic()))
            return None
        code = ""
        if response.headers.get("Content-Type") == "application/problem+json":
            code = response.json().get("code", "")
        self._record(Answer(method, response.status_code, sent, time.monotonic(), code))
        return response

    def _client(self, token: str) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        while not self._stop.is_set():
            key = uuid.uuid4().hex
            while True:  # the same check-in until it is acknowledged
                response = self._send(
                    session,
                    "POST",
                    "/api/v1/check-ins/",
                    json=CHECK_IN,
                    headers={"Idempotency-Key": key},
                )
                if response is not None and response.status_code == 201:
                    with self._lock:
                        self.acknowledged[key] = response.json()["id"]
                        self.unanswered_keys.discard(key)
                    break
                with self._lock:
                    self.unanswered_keys.add(key)
                if self._stop.is_set():
                    return
                time.sleep(self.retry_pause)
            self._send(session, "GET", "/api/v1/check-ins/")

    def statuses(self, since: float = 0.0, until: float = float("inf")) -> Counter:
        return Counter(
            f"{a.method} {a.status}{' ' + a.code if a.code else ''}"
            for a in self.answers
            if since <= a.sent_at < until
        )
