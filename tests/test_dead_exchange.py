"""A dead exchange fails the offline notebook run fast, naming the notebook and the cell and
showing what the kernel was doing (issue 23).

The scratch notebooks run exactly as the no-network test runs a course notebook
(scripts/execute_notebooks.py under ``unshare -n``) with the harness's default timeouts:
- one cell kills its own kernel (SIGKILL): the run fails within seconds, "killed by SIGKILL",
  with no retry (a crash is a failure of the notebook);
- one cell makes the kernel drop that cell's execute_reply, so the kernel runs the cell, goes
  idle and never answers: the state issue 23 found (client waiting for a reply, kernel idle);
- one cell makes the kernel's main thread stop reading requests, so the next cell's request
  is never read: nothing at all comes back.
A lost message gets one retry in a fresh kernel, logged as RETRY with the evidence; the drop
happens again there, so the run fails, in all within 2 minutes, with the kernel's thread
stacks and the client's.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from queue import Empty

import pytest
from test_no_network import execute_offline, failure_message

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import execute_notebooks  # noqa: E402

KILL_OWN_KERNEL = "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"

# The cell swaps the kernel's Session.send for one that swallows (once) the execute_reply of
# this very cell: the reply is built, logged, and never leaves the kernel.
DROP_OWN_REPLY = """\
kernel = get_ipython().kernel
send = kernel.session.send
def drop_execute_reply(stream, msg_or_type, content=None, parent=None, *args, **kwargs):
    if msg_or_type == "execute_reply":
        kernel.session.send = send
        return kernel.session.msg("execute_reply", content, parent)
    return send(stream, msg_or_type, content, parent, *args, **kwargs)
kernel.session.send = drop_execute_reply"""

# The main thread's stream of shell requests (forwarded by ipykernel 7's shell-channel thread)
# stops: the next request waits, unread, in the socket pair between the two threads.
STOP_READING = ("get_ipython().kernel.shell_channel_thread.manager"
                "._shell_channel_to_main.to_stream.stop_on_recv()")


def _scratch(tmp_path: Path, name: str, sources: list[str]) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
              "source": s} for s in sources]
    nb = {"cells": cells, "metadata": {"kernelspec": {"display_name": "Python 3 (ipykernel)",
                                                      "language": "python", "name": "python3"}},
          "nbformat": 4, "nbformat_minor": 5}
    path = src / name
    path.write_text(json.dumps(nb))
    return path


def _run(tmp_path: Path, notebook: Path) -> tuple[str, float, str]:
    start = time.monotonic()
    proc, _ = execute_offline(notebook, tmp_path / "run")
    elapsed = time.monotonic() - start
    assert proc.returncode != 0, "the run passed although its kernel never answered"
    return failure_message(proc.stderr), elapsed, proc.stderr


def test_a_dead_kernel_fails_within_seconds_naming_notebook_and_cell(tmp_path):
    notebook = _scratch(tmp_path, "dies.ipynb", ["x = 1", KILL_OWN_KERNEL, "print('after')"])
    message, elapsed, stderr = _run(tmp_path, notebook)
    assert elapsed < 120, f"took {elapsed:.0f} s"
    assert "RETRY" not in stderr, "a dead kernel is not retried"
    assert "DEAD EXCHANGE in" in message and "dies.ipynb, cell 1 " in message, message
    assert "'import os, signal'" in message, message
    assert "the kernel died" in message and "killed by SIGKILL" in message, message
    assert "client threads" in message, message


def test_a_lost_reply_fails_within_two_minutes_with_both_stacks(tmp_path):
    notebook = _scratch(tmp_path, "lost_reply.ipynb", ["x = 1", DROP_OWN_REPLY, "print('after')"])
    message, elapsed, stderr = _run(tmp_path, notebook)
    assert elapsed < 120, f"a lost reply took {elapsed:.0f} s to fail (limit: 2 minutes)"
    assert stderr.count("RETRY") == 1 and stderr.count("DEAD EXCHANGE") == 2, stderr[-3000:]
    assert "DEAD EXCHANGE in" in message and "lost_reply.ipynb, cell 1 " in message, message
    assert "lost: the reply" in message, message
    # What came back for the request, read: busy, then idle, and never the reply.
    assert "status (busy)" in message and "status (idle)" in message, message
    assert "a reply lost between kernel and client" in message, message
    # The kernel, alive and idle, and its threads; then the client's own.
    assert "kernel pid" in message and "alive" in message, message
    assert "kernel threads" in message and "ipykernel/kernelapp.py" in message, message
    assert "client threads" in message and "execute_notebooks.py" in message, message


def test_an_unread_request_fails_within_two_minutes(tmp_path):
    notebook = _scratch(tmp_path, "unread.ipynb", ["x = 1", STOP_READING, "print('after')"])
    message, elapsed, stderr = _run(tmp_path, notebook)
    assert elapsed < 120, f"an unread request took {elapsed:.0f} s to fail (limit: 2 minutes)"
    assert stderr.count("RETRY") == 1, stderr[-3000:]
    assert "DEAD EXCHANGE in" in message and "unread.ipynb, cell 2 " in message, message
    assert "lost: the request" in message and "nothing came back" in message, message
    assert "kernel threads" in message and "client threads" in message, message


class LostWakeup:
    """A channel with issue 23's fault: a message that arrives while a poll is pending does not
    wake that poll (it sleeps its whole timeout); only a poll started afterwards sees it."""

    def __init__(self):
        self.delivered: list[dict] = []

    async def get_msg(self, timeout=None):
        if self.delivered:
            return self.delivered.pop(0)
        await asyncio.sleep(3600 if timeout is None else timeout)
        raise Empty


@pytest.mark.parametrize("repoll", [True, False])
def test_a_delivered_reply_is_read_within_a_slice_despite_a_lost_wakeup(tmp_path, repoll):
    client = execute_notebooks.WatchedClient(
        {"cells": [], "metadata": {}}, path=tmp_path / "x.ipynb",
        stack_file=tmp_path / "stacks.txt", repoll=repoll)
    channel = LostWakeup()
    client._watch("shell", channel)
    reply = {"msg_type": "execute_reply", "parent_header": {"msg_id": "m1"}, "content": {}}

    async def scenario():
        asyncio.get_running_loop().call_later(0.3, channel.delivered.append, reply)
        start = time.monotonic()
        # nbclient waits for a reply with the cell timeout (90 s)
        msg = await asyncio.wait_for(channel.get_msg(timeout=90), timeout=5)
        return msg, time.monotonic() - start

    if repoll:
        msg, waited = asyncio.run(scenario())
        assert msg is reply and waited < 1 + execute_notebooks.REPOLL, waited
    else:  # the long poll nbclient makes by itself: the delivered reply is never read
        with pytest.raises(asyncio.TimeoutError):
            asyncio.run(scenario())
