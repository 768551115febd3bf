"""Re-execute notebooks in place, top to bottom in a fresh kernel, and strip volatile metadata.

    python scripts/execute_notebooks.py notebooks/*.ipynb

Widget state and cell timestamps change on every run; stripping them keeps
diffs to what a learner would see. (nbclient's store_widget_state=False is
not used: it crashes nbclient 0.11 on interact cells.)

A dead exchange fails fast and says what happened. Every notebook runs within 30 s, so a
cell whose reply has not come in ``--timeout`` seconds (90) is dead, not slow; a reply whose
outputs have not finished (the kernel's "idle" status) ``IOPUB_TIMEOUT`` seconds later is
too. Then, before the kernel is shut down, the error names the notebook and the cell and
shows what the kernel was doing: which of the request's messages came back (busy, outputs,
idle, the reply), the kernel process's state and CPU time, the stacks of all its threads
(faulthandler, registered on SIGUSR1 when the kernel starts) and the client's own stacks.
A kernel that dies is reported within about a second, with its exit signal.

A lost message is recognised sooner, from what came back: a reply still missing 20 s after
the kernel's idle status for its request (the reply is sent first), or a request with no
answer at all in 30 s from a live kernel (it marks a request busy as soon as it reads it).
That is the state of issue 23's hang (client waiting for a reply, kernel idle), seen once in
30 runs of the earlier harness (benchmarks/RESULTS.md, "Offline harness under stress"). Its
cause and fix are at REPOLL below. Should a message still go missing, the run is retried
once, in a fresh kernel, and the retry is logged (RETRY, with the evidence) on stderr; a dead
kernel, a cell error or a cell that outruns the timeout never is.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import faulthandler
import io
import os
import signal
import sys
import tempfile
import time
from pathlib import Path
from queue import Empty

import nbformat
import zmq
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

CELL_TIMEOUT = 90
# After the reply, the outputs still in flight and the idle status. nbclient's default (4 s)
# can drop a busy cell's output under load; a minute is slow, not lost.
IOPUB_TIMEOUT = 60
# Two dead exchanges are recognised long before the timeout, from what came back:
# - the kernel sends a request's reply before its idle status, so a reply still missing this
#   long after the idle status is lost;
REPLY_AFTER_IDLE = 20
# - a kernel that is alive and idle marks a request busy as soon as it reads it, so a request
#   with no answer at all after this long was never read.
UNREAD_AFTER = 30
# The cause of issue 23's hang: a message delivered to the client's socket, never noticed.
# nbclient waits for a cell's reply with one long poll on the shell socket; meanwhile, while
# handling a widget's comm messages from iopub, it sends comm messages to the kernel on that
# same socket (nbclient/output_widget.py). In that interleaving the asyncio socket can miss
# the wake-up for a reply that arrives, and the long poll never returns although the reply
# sits in the socket (seen: "unread in the client's shell socket: execute_reply for ...").
# A fresh poll checks the socket's state first, so the client polls in slices of this many
# seconds: a delivered message is read within a slice.
REPOLL = 1.0


class DeadExchange(RuntimeError):
    """A request the kernel did not answer in time, or a kernel that died; the message says
    which notebook, which cell, and what the kernel was doing. ``lost`` is True when the
    kernel was alive and idle and a message between it and the client went missing (a reply
    lost, or a request never read): the case one retry is for."""

    def __init__(self, message: str, lost: bool = False):
        super().__init__(message)
        self.lost = lost


def strip_volatile(nb) -> None:
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python",
                                 "name": "python3"}
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            for out in cell.get("outputs", []):
                out.get("metadata", {}).pop("execution", None)


def _proc_state(pid: int) -> str:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return "no /proc entry"
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    names = {"R": "running", "S": "sleeping (waiting)", "D": "in uninterruptible I/O",
             "Z": "zombie", "T": "stopped"}
    return f"state {fields[0]} = {names.get(fields[0], '?')}, CPU time so far {cpu:.1f} s"


class WatchedClient(NotebookClient):
    """A NotebookClient that keeps a log of the messages each request brought back, and on a
    dead exchange raises DeadExchange with the evidence (before the kernel is shut down)."""

    def __init__(self, nb, *, path: Path, stack_file: Path, repoll: bool = True, **kw):
        code = ("__import__('faulthandler').register(__import__('signal').SIGUSR1, "
                f"file=open({str(stack_file)!r}, 'w'), all_threads=True)")
        super().__init__(nb, extra_arguments=[f"--IPKernelApp.exec_lines={code}"], **kw)
        self.path = path
        self.stack_file = stack_file
        self.sent: dict[str, tuple[float, str]] = {}
        self.received: collections.deque = collections.deque(maxlen=400)
        self.lost: str | None = None  # set by the watcher: what went missing
        self.repoll = repoll

    # -- the message log ------------------------------------------------------------------
    def _watch(self, name: str, channel) -> None:
        get_msg = channel.get_msg

        async def sliced_get_msg(timeout=None):
            """get_msg(timeout), polling afresh every REPOLL seconds (see REPOLL)."""
            deadline = None if timeout is None else time.monotonic() + timeout
            while True:
                left = None if deadline is None else max(0.0, deadline - time.monotonic())
                try:
                    return await get_msg(timeout=REPOLL if left is None else min(REPOLL, left))
                except Empty:
                    if left is not None and left <= REPOLL:
                        raise

        async def logged_get_msg(timeout=None):
            msg = await (sliced_get_msg(timeout) if self.repoll else get_msg(timeout=timeout))
            self.received.append((time.monotonic(), name, msg["msg_type"],
                                  msg["parent_header"].get("msg_id"),
                                  msg["content"].get("execution_state")))
            return msg

        channel.get_msg = logged_get_msg

    def _log_sends(self, channel) -> None:
        """Log what the client itself sends on a channel (nbclient answers widgets on shell)."""
        send = channel.send

        def logged_send(msg):
            self.received.append((time.monotonic(), "client sent on shell", msg["msg_type"],
                                  msg["parent_header"].get("msg_id"), None))
            return send(msg)

        channel.send = logged_send

    def _logged_request(self, kind: str, send):
        def request(*args, **kwargs):
            msg_id = send(*args, **kwargs)
            self.sent[msg_id] = (time.monotonic(), kind)
            return msg_id
        return request

    async def async_start_new_kernel_client(self):
        kc = await super().async_start_new_kernel_client()
        self._watch("shell", kc.shell_channel)
        self._watch("iopub", kc.iopub_channel)
        self._log_sends(kc.shell_channel)
        kc.execute = self._logged_request("execute_request", kc.execute)
        kc.kernel_info = self._logged_request("kernel_info_request", kc.kernel_info)
        return kc

    # -- where a dead exchange is caught --------------------------------------------------
    async def async_wait_for_reply(self, msg_id, cell=None):
        try:
            return await super().async_wait_for_reply(msg_id, cell)
        except (CellTimeoutError, DeadKernelError, AttributeError) as err:
            # (nbclient 0.11 fails with AttributeError building its timeout error without a cell)
            raise DeadExchange(self.diagnose(err, "before the first cell (kernel_info)")) from err

    async def async_execute_cell(self, cell, cell_index, execution_count=None,
                                 store_history=True):
        previous = list(self.sent)[-1] if self.sent else None
        watcher = asyncio.ensure_future(self._watch_exchange(previous))
        try:
            return await super().async_execute_cell(cell, cell_index, execution_count,
                                                    store_history)
        except (CellTimeoutError, DeadKernelError) as err:
            lines = cell.source.strip().splitlines()
            where = (f"cell {cell_index} (the notebook's cell [{cell_index}], source starts "
                     f"{lines[0][:80]!r})" if lines else f"cell {cell_index}")
            message = self.diagnose(err, where)
            # nbclient leaves its output and kernel-alive pollers running after a cancel
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()
            raise DeadExchange(message, lost=self.lost is not None) from err
        finally:
            watcher.cancel()

    async def _watch_exchange(self, previous: str | None) -> None:
        """End the wait for this cell's reply as soon as the exchange is provably dead:
        the reply lost (idle came, no reply) or the request never read (nothing came)."""
        while True:
            await asyncio.sleep(1)
            if not self.sent or list(self.sent)[-1] == previous:
                continue  # this cell's request is not sent yet
            msg_id, (sent_at, _) = list(self.sent.items())[-1]
            came = [r for r in self.received if r[3] == msg_id]
            if any(r[1] == "shell" for r in came):
                return  # the reply came: nbclient's own timeouts cover the rest
            idle = [r[0] for r in came if r[2] == "status" and r[4] == "idle"]
            now = time.monotonic()
            if idle and now - idle[0] > REPLY_AFTER_IDLE:
                self.lost = f"the reply (still missing {now - idle[0]:.0f} s after idle)"
            elif not came and now - sent_at > UNREAD_AFTER and await self.kc.is_alive():
                self.lost = f"the request (no answer at all in {now - sent_at:.0f} s)"
            if self.lost:
                self.task_poll_for_reply.cancel()  # nbclient turns this into DeadKernelError
                return

    # -- the evidence ---------------------------------------------------------------------
    def _exchange(self) -> list[str]:
        """The last request sent and every message that came back for it."""
        if not self.sent:
            return ["no request was sent"]
        msg_id, (t0, kind) = list(self.sent.items())[-1]
        lines = [f"last request: {kind} {msg_id}, sent {time.monotonic() - t0:.1f} s ago"]
        came = [r for r in self.received if r[3] == msg_id]
        for t, channel, msg_type, _, state in came:
            lines.append(f"  +{t - t0:6.2f} s  {channel}: {msg_type}"
                         + (f" ({state})" if state else ""))
        types = {(r[1], r[2], r[4]) for r in came}
        reply = any(ch == "shell" for ch, _, _ in types)
        busy = ("iopub", "status", "busy") in types
        idle = ("iopub", "status", "idle") in types
        if not came:
            reading = ("nothing came back: the request never reached the kernel's handler "
                       "(or every answer to it was lost)")
        elif busy and idle and not reply:
            reading = ("the kernel received the request, ran it and went idle, but its reply "
                       "never arrived: a reply lost between kernel and client")
        elif busy and not idle and not reply:
            reading = "the kernel received the request and had not finished it"
        elif reply and not idle:
            reading = "the reply came, but the kernel's idle status (end of outputs) did not"
        else:
            reading = "see the messages above"
        lines.append(f"reading: {reading}")
        if self.received:
            t, channel, msg_type, parent, state = self.received[-1]
            lines.append(f"last message from the kernel: {channel} {msg_type}"
                         + (f" ({state})" if state else "") + f", {time.monotonic() - t:.1f} s ago"
                         + ("" if parent == msg_id else f", for {parent}"))
        return lines

    def _unread(self) -> list[str]:
        """Messages already in the client's own sockets that nobody read: a message there was
        delivered, and only the client's wake-up for it was lost."""
        lines = []
        for name in ("shell", "iopub"):
            channel = getattr(self.kc, f"{name}_channel", None)
            if channel is None or channel.socket is None:
                continue
            raw = zmq.Socket.shadow(channel.socket.underlying)
            found = []
            while raw.poll(0, zmq.POLLIN):
                parts = raw.recv_multipart(zmq.NOBLOCK)
                _, frames = self.kc.session.feed_identities(parts)
                msg = self.kc.session.deserialize(frames)
                found.append(f"{msg['msg_type']} for {msg['parent_header'].get('msg_id')}")
            lines.append(f"unread in the client's {name} socket: "
                         + ("; ".join(found) if found else "nothing"))
        return lines

    def _kernel(self) -> list[str]:
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        if process is None:
            return ["kernel: no process"]
        code = process.poll()
        if code is not None:
            how = (f"killed by {signal.Signals(-code).name}" if code < 0
                   else f"exit status {code}")
            return [f"kernel pid {process.pid}: DEAD ({how})"]
        lines = [f"kernel pid {process.pid}: alive, {_proc_state(process.pid)}"]
        self.stack_file.write_text("")
        os.kill(process.pid, signal.SIGUSR1)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not self.stack_file.read_text().strip():
            time.sleep(0.1)
        time.sleep(0.2)
        dump = self.stack_file.read_text().strip()
        lines.append("kernel threads (most recent call first):")
        lines.append(dump or "  (no dump within 5 s: the kernel did not handle SIGUSR1)")
        return lines

    @staticmethod
    def _client() -> list[str]:
        lines = ["client tasks:"]
        for task in asyncio.all_tasks():
            out = io.StringIO()
            task.print_stack(limit=6, file=out)
            lines.append(out.getvalue().rstrip())
        with tempfile.TemporaryFile("w+") as f:
            faulthandler.dump_traceback(file=f, all_threads=True)
            f.seek(0)
            lines += ["client threads (most recent call first):", f.read().rstrip()]
        return lines

    def diagnose(self, err: Exception, where: str) -> str:
        if self.lost:
            what = f"lost: {self.lost}"
        elif isinstance(err, DeadKernelError):
            what = "the kernel died"
        elif isinstance(err, CellTimeoutError) and "IOPub" in str(err):
            what = f"no idle status (end of outputs) within {self.iopub_timeout} s of the reply"
        else:
            what = f"no reply within {self.timeout} s (every notebook runs within 30 s)"
        parts = [f"DEAD EXCHANGE in {self.path}, {where}: {what}.", *self._exchange(),
                 *self._unread(), *self._kernel(), *self._client()]
        return "\n".join(parts)


def execute(path: Path, timeout: int, retry: bool = True, repoll: bool = True) -> float:
    """Run ``path`` in a fresh kernel and store the outputs. A lost message (the kernel alive
    and idle, a reply or request gone missing) gets one retry in a fresh kernel, logged with
    its evidence on stderr; a dead kernel or a cell that outruns the timeout does not."""
    start = time.perf_counter()
    for attempt in (1, 2):
        nb = nbformat.read(path, as_version=4)
        try:
            with tempfile.TemporaryDirectory(prefix="kernel-stacks-") as tmp:
                WatchedClient(nb, path=path, stack_file=Path(tmp) / "kernel-stacks.txt",
                              repoll=repoll,
                              timeout=timeout, iopub_timeout=IOPUB_TIMEOUT,
                              raise_on_iopub_timeout=True, kernel_name="python3",
                              resources={"metadata": {"path": str(path.parent)}}).execute()
            break
        except DeadExchange as err:
            if not (retry and err.lost and attempt == 1):
                raise
            print(f"RETRY (once, in a fresh kernel) after a lost message:\n{err}\n",
                  file=sys.stderr, flush=True)
    elapsed = time.perf_counter() - start
    strip_volatile(nb)
    nbformat.write(nb, path)
    return elapsed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--timeout", type=int, default=CELL_TIMEOUT,
                        help="seconds a cell's reply may take before the exchange counts as dead")
    parser.add_argument("--no-retry", action="store_true",
                        help="fail on a lost message instead of retrying once")
    parser.add_argument("--no-repoll", action="store_true",
                        help="one long poll per wait, as nbclient does (reproduces issue 23)")
    args = parser.parse_args(argv)
    os.environ.setdefault("PYTHONHASHSEED", "0")
    for path in args.notebooks:
        try:
            seconds = execute(path, args.timeout, not args.no_retry, not args.no_repoll)
            print(f"{path}: {seconds:.1f} s", flush=True)
        except DeadExchange as err:
            print(err, file=sys.stderr, flush=True)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
