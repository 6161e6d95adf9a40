"""The load run of ``stride bench`` (part b), run by locust in a process of its own.

It knows nothing of Django: the plan (``STRIDE_LOAD_PLAN``, written by
``stride.demo.bench_load``) lists the calls — method, path, headers, body and weight — and
where to write what was measured. Every client makes one call after another with no pause,
each picked at random by weight; every answer's time as the client saw it and the server
time from its ``Server-Timing`` header are kept per call and written out when the run ends.
An answer other than 200 (201 for a POST) counts as an error; redirects are not followed,
so a lost session shows up as an error rather than as a fast login page.
"""

from __future__ import annotations

import json
import os
import random
import re
import time
from pathlib import Path
from typing import Any

from locust import FastHttpUser, constant, events, task

PLAN: dict[str, Any] = json.loads(Path(os.environ["STRIDE_LOAD_PLAN"]).read_text())
CALLS: list[dict[str, Any]] = PLAN["calls"]
WEIGHTS = [call["weight"] for call in CALLS]
SERVER_TIMING = re.compile(r"app;dur=([0-9.]+)")

samples: dict[str, dict[str, Any]] = {
    call["name"]: {"client_ms": [], "server_ms": [], "errors": 0, "statuses": {}} for call in CALLS
}
window: dict[str, float] = {}


class Client(FastHttpUser):
    wait_time = constant(0)

    @task
    def call(self) -> None:
        call = random.choices(CALLS, WEIGHTS)[0]
        expected = 201 if call["method"] == "POST" else 200
        with self.client.request(
            call["method"],
            call["path"],
            name=call["name"],
            headers=call["headers"],
            data=call.get("body"),
            allow_redirects=False,
            catch_response=True,
        ) as response:
            found = samples[call["name"]]
            status = str(response.status_code)
            found["statuses"][status] = found["statuses"].get(status, 0) + 1
            if response.status_code != expected:
                found["errors"] += 1
                response.failure(f"answered {response.status_code}")
                return
            elapsed = response.request_meta["response_time"]
            found["client_ms"].append(round(float(elapsed), 2))
            timing = SERVER_TIMING.match(response.headers.get("Server-Timing") or "")
            if timing:
                found["server_ms"].append(float(timing.group(1)))


@events.test_start.add_listener
def started(**kwargs: Any) -> None:
    window["start"] = time.monotonic()


@events.test_stop.add_listener
def stopped(**kwargs: Any) -> None:
    elapsed = time.monotonic() - window.get("start", time.monotonic())
    Path(PLAN["results"]).write_text(json.dumps({"elapsed_s": elapsed, "calls": samples}))
