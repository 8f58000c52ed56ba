"""Issue #24, point 6: quit means quit. The terminal UI's process ends as soon as the app has given
the terminal back, however long the store work its thread workers are doing would take — except
an entry being recorded, which it waits for (:mod:`caseledger.tui.quitting`).

Run in a process of its own, as the command line runs the UI: a Textual app whose thread worker
starts recording (it takes a moment, then writes a marker file: the entry), asks the app to exit,
and then waits forever (store work that never ends). Before this module, ``app.run()`` did not
return: ``asyncio.run`` waited for the worker's thread.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = """
import sys, threading, time
from pathlib import Path
from textual import work
from textual.app import App
from caseledger.tui.quitting import InFlight, abandon_store_work_on_quit, end_process

never = threading.Event()
in_flight = InFlight()

class Busy(App[None]):
    def on_mount(self) -> None:
        abandon_store_work_on_quit()
        self.busy()

    @work(thread=True)
    def busy(self) -> None:
        with in_flight.recording():
            self.call_from_thread(self.exit)
            time.sleep(0.3)
            Path(sys.argv[1]).write_text("recorded")
        never.wait()

Busy().run(headless=True)
print("terminal restored", flush=True)
end_process(3, in_flight)
"""


@pytest.mark.slow
def test_quitting_ends_the_process_without_waiting_for_store_work_but_after_a_recording(tmp_path: Path) -> None:
    marker = tmp_path / "entry"
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(marker)], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 3, done.stderr
    assert done.stdout == "terminal restored\n"
    assert marker.read_text() == "recorded"  # the entry in flight was waited for
