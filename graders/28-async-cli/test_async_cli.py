"""Hidden grader for exercise 28: a non-blocking interactive asyncio CLI, driven as a real subprocess.

Every test starts `python -I async_cli.py --tick 0.05` with pipes on stdin, stdout and stderr, talks to it the way
a user or a supervising program would, and stamps each output line with the grader's clock as it arrives. The
bounds are deliberately loose (counts and medians, never single samples): the machine may be heavily loaded,
and a correct CLI must pass anyway, while a stalled ticker or a serialised command loop misses them by far.
"""

from __future__ import annotations

import itertools
import re
import statistics
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from _cli_driver import TICK, Cli, now
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SCRIPT = "async_cli.py"
INTERVAL = 0.05
READY_S = 10.0  # start-up of a fresh interpreter on a loaded machine
ANSWER_S = 2.0  # an immediate answer that takes longer than this was not immediate
EXIT_S = 5.0
STATUS = re.compile(r"status ticks=(\d+) total=(-?\d+) pending=(\d+)")


def expect(condition: bool, message: str) -> None:
    """Fail the test with exactly `message` (no assertion-rewriting noise) unless `condition` holds."""
    if not condition:
        pytest.fail(message, pytrace=False)


def shown(cli: Cli, start: int = 0, limit: int = 8) -> str:
    """The CLI's last answers from `start` on (ticks counted, not listed) and its stderr, for failure messages."""
    answers = [line.text for line in cli.answers(start)][-limit:]
    ticks = len(cli.ticks(start))
    out = "\n    ".join(answers) if answers else "(none)"
    err = cli.stderr.strip()
    return f"\n  its last answers (besides {ticks} tick lines):\n    {out}" + (
        f"\n  its stderr:\n    {err[-600:]}" if err else ""
    )


@pytest.fixture(scope="session")
def startup(solution_dir: Path) -> Iterator[str]:
    """One probe run: "" if the CLI answers a `status` after start-up, else why not (so later tests fail fast)."""
    cli = Cli(solution_dir / SCRIPT, ["--tick", str(INTERVAL)])
    try:
        line, _, _ = cli.command("status", "status", READY_S)
        if line is not None:
            yield ""
            return
        code = cli.proc.poll()
        ended = f"it exited with code {code}" if code is not None else "it is still running"
        yield (
            f"no `status ...` answer within {READY_S:g} s of start-up ({ended}). Did you flush stdout after every "
            f"line (stdout is a pipe here, so print() alone is block-buffered)?{shown(cli)}"
        )
    finally:
        cli.kill()


class Launcher:
    """Starts CLIs for one test and kills every one of them (with its process group) at teardown."""

    def __init__(self, script: Path, startup_problem: str) -> None:
        self.script = script
        self.startup_problem = startup_problem
        self.started: list[Cli] = []

    def __call__(self, *args: str) -> Cli:
        cli = Cli(self.script, list(args))
        self.started.append(cli)
        return cli

    def kill_all(self) -> None:
        for cli in self.started:
            cli.kill()


@pytest.fixture
def launch(solution_dir: Path, startup: str) -> Iterator[Launcher]:
    """Start CLIs on demand; every one of them is killed when the test ends."""
    launcher = Launcher(solution_dir / SCRIPT, startup)
    try:
        yield launcher
    finally:
        launcher.kill_all()


def ready(launch: Launcher, interval: float = INTERVAL) -> Cli:
    """A started CLI that has answered one `status` (so it is up, reading stdin and flushing its output)."""
    if launch.startup_problem:  # the probe run already showed that this CLI never answers: don't wait again
        pytest.fail(launch.startup_problem, pytrace=False)
    cli = launch("--tick", str(interval))
    line, _, _ = cli.command("status", "status", READY_S)
    if line is None:
        code = cli.proc.poll()
        ended = f"it exited with code {code}" if code is not None else "it is still running"
        pytest.fail(f"no `status ...` answer within {READY_S:g} s of start-up ({ended}){shown(cli)}", pytrace=False)
    return cli


def answer(cli: Cli, line: str, expect_prefix: str, timeout: float = ANSWER_S) -> str:
    """Send a command and return its answer, failing with a readable message if none comes in time."""
    got, start, _ = cli.command(line, expect_prefix, timeout)
    if got is None:
        pytest.fail(
            f"sent {line!r}, expected a line starting with {expect_prefix!r} within {timeout:g} s, got none"
            f"{shown(cli, start)}",
            pytrace=False,
        )
    return got.text


def exit_code(cli: Cli, after: str) -> int:
    code = cli.wait_exit(EXIT_S)
    if code is None:
        pytest.fail(f"the CLI was still running {EXIT_S:g} s after {after}{shown(cli)}", pytrace=False)
    return code


# ---------------------------------------------------------------------------------------------- usage


def test_bad_usage_exits_with_code_2_and_a_message_on_stderr(launch: Launcher) -> None:
    """Bad command-line arguments print a usage message to stderr and exit with code 2, starting nothing."""
    cases = [["--tick", "abc"], ["--tick", "0"], ["--tick", "-1"], ["--tick", "nan"], ["--tick"], ["--bogus"]]
    clis = [launch(*args) for args in cases]
    for args, cli in zip(cases, clis, strict=True):
        code = cli.wait_exit(READY_S)
        expect(code is not None, f"`async_cli.py {' '.join(args)}` was still running after {READY_S:g} s")
        expect(
            code == 2,
            f"`async_cli.py {' '.join(args)}` exited with code {code}, expected 2 (bad usage){shown(cli)}",
        )
        expect(bool(cli.stderr.strip()), f"`async_cli.py {' '.join(args)}` exited 2 but printed nothing to stderr")
        ticks = cli.ticks()
        expect(not ticks, f"`async_cli.py {' '.join(args)}` started ticking before rejecting its arguments")


# ---------------------------------------------------------------------------------------------- ticker


def test_ticker_keeps_its_cadence_while_waiting_for_input(launch: Launcher) -> None:
    """With no input for a second, `tick N` lines keep coming every 0.05 s, numbered 1, 2, 3, …

    Did you read stdin with input() or sys.stdin.readline() inside a coroutine? That blocks the whole event
    loop until a line arrives, and the ticker stalls.
    """
    cli = ready(launch)
    t0 = now()
    time.sleep(1.0)
    window = now() - t0
    ticks = [(n, at) for n, at in cli.ticks() if at >= t0]
    expected = window / INTERVAL
    expect(
        len(ticks) >= 0.3 * expected,
        f"the ticker printed {len(ticks)} tick lines in {window:.2f} s of idle time, expected about "
        f"{expected:.0f} (--tick {INTERVAL}). Something blocks the event loop while it waits for input: "
        f"input() or sys.stdin.readline() on the loop's thread?{shown(cli)}",
    )
    expect(
        len(ticks) <= 2 * expected + 3,
        f"the ticker printed {len(ticks)} tick lines in {window:.2f} s, expected about {expected:.0f} "
        f"(--tick {INTERVAL} means one every {INTERVAL} s){shown(cli)}",
    )
    numbers = [n for n, _ in cli.ticks()]
    expect(
        numbers == list(range(1, len(numbers) + 1)),
        f"tick numbers were {numbers[:30]}, expected 1, 2, 3, … with none skipped or repeated",
    )
    gaps = [b - a for (_, a), (_, b) in itertools.pairwise(ticks)]
    median = statistics.median(gaps)
    expect(
        0.2 * INTERVAL <= median <= 3 * INTERVAL,
        f"the median gap between ticks was {median * 1000:.0f} ms, expected about {INTERVAL * 1000:.0f} ms: "
        f"ticks should come evenly, not in bursts{shown(cli)}",
    )


def test_status_counts_the_ticks_printed_so_far(launch: Launcher) -> None:
    """`status` reports ticks=K where K is the number of `tick` lines printed before its answer."""
    cli = ready(launch)
    time.sleep(0.4)
    for _ in range(3):
        text = answer(cli, "status", "status")
        m = STATUS.fullmatch(text)
        expect(m is not None, f"`status` answered {text!r}, expected 'status ticks=K total=T pending=P'")
        assert m is not None
        lines = [line.text for line in cli.snapshot()]
        printed = sum(1 for t in lines[: lines.index(text)] if TICK.fullmatch(t))
        expect(
            int(m.group(1)) == printed,
            f"`status` said ticks={m.group(1)}, but {printed} tick lines had been printed before it",
        )
        time.sleep(0.15)


def test_commands_are_answered_while_the_ticker_keeps_its_cadence(launch: Launcher) -> None:
    """Commands sent every 0.1 s are all answered at once, and ticks keep coming in between."""
    cli = ready(launch)
    t0 = now()
    for k in range(1, 11):
        got = answer(cli, "add 1", "total")
        expect(got == f"total {k}", f"the {k}th `add 1` answered {got!r}, expected 'total {k}'")
        time.sleep(0.1)
    window = now() - t0
    ticks = [n for n, at in cli.ticks() if at >= t0]
    expected = window / INTERVAL
    expect(
        len(ticks) >= 0.3 * expected,
        f"while 10 commands were answered over {window:.2f} s the ticker printed {len(ticks)} ticks, expected "
        f"about {expected:.0f}{shown(cli)}",
    )


# ---------------------------------------------------------------------------------------------- commands


def test_add_keeps_a_running_total(launch: Launcher) -> None:
    """`add N` adds the integer N (negative and huge ones too) to a running total and answers `total T`."""
    cli = ready(launch, interval=0.5)
    running = 0

    @settings(max_examples=40, suppress_health_check=list(HealthCheck))
    @given(st.lists(st.integers(min_value=-(10**30), max_value=10**30), min_size=1, max_size=8))
    def check(amounts: list[int]) -> None:
        nonlocal running
        start = len(cli.snapshot())
        cli.send("".join(f"add {a}\n" for a in amounts))
        got = [line.text for line in cli.wait_answers(len(amounts), ANSWER_S, start)]
        expected = []
        for a in amounts:
            running += a
            expected.append(f"total {running}")
        expect(got == expected, f"sent {['add ' + str(a) for a in amounts]}, got {got}, expected {expected}")

    check()


def test_sleep_jobs_run_concurrently_and_finish_in_time_order(launch: Launcher) -> None:
    """`sleep S` answers `job J started` at once and `job J done` S seconds later; jobs overlap."""
    cli = ready(launch)
    start = len(cli.snapshot())
    sent = cli.send("sleep 1.0\nsleep 1.0\nsleep 1.0\nsleep 1.0\nsleep 0.3\n")
    i = cli.wait_for(lambda t: t == "job 5 started", ANSWER_S, start)
    expect(
        i is not None,
        f"5 sleep commands sent at once: 'job 5 started' did not come within {ANSWER_S:g} s. `job J started` is "
        f"an immediate answer: did you await each sleep before reading the next command?{shown(cli, start)}",
    )
    started = [line.text for line in cli.answers(start)][:5]
    expect(
        started == [f"job {j} started" for j in range(1, 6)],
        f"the first answers were {started}, expected 'job 1 started' … 'job 5 started' in order",
    )
    status = answer(cli, "status", "status")
    m = STATUS.fullmatch(status)
    expect(m is not None and m.group(3) == "5", f"with 5 jobs sleeping, `status` answered {status!r}: pending=5?")
    cli.wait_answers(11, sent + 4.0 - now(), start)  # 5 started, 1 status, 5 done
    done = [a for a in cli.answers(start) if a.text.endswith(" done")]
    names = [a.text for a in done]
    expect(
        len(done) == 5,
        f"4 × `sleep 1.0` and 1 × `sleep 0.3` sent together: after 4 s only {names} had finished. Jobs must run "
        "concurrently, not one after the other",
    )
    expect(names[0] == "job 5 done", f"`sleep 0.3` (job 5) should finish first, the order was {names}")
    expect(
        done[0].at - sent >= 0.25,
        f"`sleep 0.3` finished {done[0].at - sent:.2f} s after it was sent: did the job really sleep?",
    )
    expect(
        min(d.at for d in done[1:]) - sent >= 0.9,
        f"a `sleep 1.0` job finished {min(d.at for d in done[1:]) - sent:.2f} s after it was sent: too early",
    )


def test_commands_are_answered_within_100_ms_while_jobs_run(launch: Launcher) -> None:
    """With 3 sleep jobs in flight and the ticker running, `status` is answered in well under 100 ms (median).

    Did you await each command before reading the next one? A `sleep` must run as its own task.
    """
    cli = ready(launch)
    cli.send("sleep 3\nsleep 3\nsleep 3\n")
    latencies = []
    for _ in range(10):
        got, start, sent = cli.command("status", "status", ANSWER_S)
        if got is None:
            pytest.fail(
                f"with 3 `sleep 3` jobs in flight, `status` got no answer within {ANSWER_S:g} s: did you await "
                f"each command before reading the next one? Run a sleep as its own task.{shown(cli, start)}",
                pytrace=False,
            )
        m = STATUS.fullmatch(got.text)
        expect(m is not None and m.group(3) == "3", f"with 3 jobs sleeping, `status` answered {got.text!r}")
        latencies.append(got.at - sent)
        time.sleep(0.03)
    median = statistics.median(latencies)
    expect(
        median < 0.1,
        f"the median time to answer `status` was {median * 1000:.0f} ms (all: "
        f"{', '.join(f'{x * 1000:.0f}' for x in latencies)} ms), expected under 100 ms",
    )


def test_bad_commands_answer_one_error_line_and_change_nothing(launch: Launcher) -> None:
    """Unknown commands and bad arguments answer one `error: …` line each; blank lines answer nothing."""
    cli = ready(launch)
    answer(cli, "add 7", "total")
    bad = [
        "frobnicate",
        "add",
        "add 1 2",
        "add x",
        "add 1.5",
        "sleep",
        "sleep -1",
        "sleep nan",
        "sleep inf",
        "sleep soon",
        "sleep 1 2",
        "status now",
    ]
    for line in bad:
        start = len(cli.snapshot())
        cli.send(line + "\n")
        i = cli.wait_for(lambda t: not TICK.fullmatch(t), ANSWER_S, start)
        got = None if i is None else cli.snapshot()[i].text
        expect(
            got is not None and got.startswith("error: "),
            f"sent {line!r}, expected a line starting with 'error: ', got {got!r}{shown(cli, start)}",
        )
    start = len(cli.snapshot())
    cli.send("\n   \n")
    status = answer(cli, "status", "status")
    between = [a.text for a in cli.answers(start)]
    expect(between == [status], f"blank lines should answer nothing; after them came {between}")
    m = STATUS.fullmatch(status)
    expect(
        m is not None and m.group(2) == "7" and m.group(3) == "0",
        f"after `add 7` and only bad commands, `status` answered {status!r}, expected total=7 pending=0",
    )
    got = answer(cli, "sleep 0", "job")
    expect(got == "job 1 started", f"the first valid sleep answered {got!r}, expected 'job 1 started'")


def test_commands_split_across_writes_and_bursts_are_read_whole(launch: Launcher) -> None:
    """Input arriving in pieces is assembled into lines; 300 commands in one write are all answered in order."""
    cli = ready(launch)
    start = len(cli.snapshot())
    for piece in ("ad", "d 4\nadd", " 6\n"):
        cli.send(piece)
        time.sleep(0.1)
    i = cli.wait_for(lambda t: t == "total 10", ANSWER_S, start)
    got = [a.text for a in cli.answers(start)]
    expect(i is not None and got == ["total 4", "total 10"], f"sent 'ad' 'd 4\\nadd' ' 6\\n', got {got}")
    start = len(cli.snapshot())
    cli.send("add 1\n" * 300)
    cli.wait_for(lambda t: t == "total 310", 4 * ANSWER_S, start)
    got = [a.text for a in cli.answers(start)]
    expected = [f"total {k}" for k in range(11, 311)]
    expect(got == expected, f"300 × 'add 1' in one write: got {len(got)} answers, ending {got[-3:]}")


# ---------------------------------------------------------------------------------------------- shutdown


def test_eof_waits_for_jobs_in_flight_then_says_bye_and_exits_0(launch: Launcher) -> None:
    """When stdin closes, jobs in flight finish (`job J done`), then `bye` is the last line and the exit code 0."""
    cli = ready(launch)
    start = len(cli.snapshot())
    sent = cli.send("sleep 0.5\nadd 2\n")
    cli.close_stdin()
    code = exit_code(cli, "stdin was closed with one `sleep 0.5` job in flight")
    got = [a.text for a in cli.answers(start)]
    want = ["job 1 started", "total 2", "job 1 done", "bye"]
    why = "" if "job 1 done" in got else ": at EOF, wait for the jobs in flight before exiting"
    expect(got == want, f"after 'sleep 0.5', 'add 2' and EOF the answers were {got}, expected {want}{why}")
    done = next(a for a in cli.answers(start) if a.text == "job 1 done")
    expect(done.at - sent >= 0.45, f"'job 1 done' came {done.at - sent:.2f} s after `sleep 0.5`: too early")
    lines = [line.text for line in cli.snapshot()]
    expect(lines[-1] == "bye", f"nothing may follow 'bye', but the output ended with {lines[-3:]}")
    expect(code == 0, f"after EOF the exit code was {code}, expected 0{shown(cli)}")
    expect(not cli.stderr.strip(), f"a clean exit should print nothing on stderr, got:\n{cli.stderr[-800:]}")


def test_eof_while_idle_exits_0_promptly(launch: Launcher) -> None:
    """Closing stdin with nothing running stops the ticker, prints `bye` and exits 0 right away."""
    cli = ready(launch)
    cli.close_stdin()
    code = exit_code(cli, "stdin was closed")
    lines = [line.text for line in cli.snapshot()]
    expect(lines[-1:] == ["bye"], f"after EOF the output should end with 'bye', it ended with {lines[-3:]}")
    expect(code == 0, f"after EOF the exit code was {code}, expected 0{shown(cli)}")
    expect(not cli.stderr.strip(), f"a clean exit should print nothing on stderr, got:\n{cli.stderr[-800:]}")


def test_sigint_cancels_jobs_and_exits_130(launch: Launcher) -> None:
    """SIGINT cancels every job in flight (`job J cancelled`), prints `interrupted`, exits 130, no traceback."""
    cli = ready(launch)
    start = len(cli.snapshot())
    cli.send("sleep 30\nsleep 30\n")
    i = cli.wait_for(lambda t: t == "job 2 started", ANSWER_S, start)
    expect(i is not None, f"two `sleep 30` commands were not both started{shown(cli, start)}")
    time.sleep(0.2)
    cli.interrupt()
    code = cli.wait_exit(EXIT_S)
    expect(
        code is not None,
        f"the CLI was still running {EXIT_S:g} s after SIGINT (stdin still open, 2 jobs sleeping). Did you handle "
        "SIGINT on the loop (loop.add_signal_handler) and make sure nothing (a thread blocked reading stdin, a "
        f"task that swallows CancelledError) keeps the process alive?{shown(cli, start)}",
    )
    got = [a.text for a in cli.answers(start)]
    expect(
        sorted(got[2:4]) == ["job 1 cancelled", "job 2 cancelled"] and got[4:] == ["interrupted"],
        f"after SIGINT the answers were {got}, expected both 'job J cancelled' lines and then 'interrupted': "
        "cancel the jobs in flight (and wait for them) before exiting",
    )
    lines = [line.text for line in cli.snapshot()]
    expect(lines[-1] == "interrupted", f"nothing may follow 'interrupted', the output ended with {lines[-3:]}")
    expect(code == 130, f"after SIGINT the exit code was {code}, expected 130 (128 + SIGINT){shown(cli, start)}")
    expect(not cli.stderr.strip(), f"after SIGINT stderr should be empty, got:\n{cli.stderr[-800:]}")


def test_sigint_while_idle_exits_130_even_with_stdin_open(launch: Launcher) -> None:
    """SIGINT with stdin open and nothing running prints `interrupted` and exits 130 at once."""
    cli = ready(launch)
    time.sleep(0.2)
    cli.interrupt()
    code = cli.wait_exit(EXIT_S)
    expect(
        code is not None,
        f"the CLI was still running {EXIT_S:g} s after SIGINT with stdin open and idle. A thread blocked in "
        "readline() can't be cancelled and keeps the process (or the executor's shutdown) waiting; read stdin "
        f"through the event loop instead.{shown(cli)}",
    )
    lines = [line.text for line in cli.snapshot()]
    expect(lines[-1:] == ["interrupted"], f"after SIGINT the output should end 'interrupted', got {lines[-3:]}")
    expect(code == 130, f"after SIGINT the exit code was {code}, expected 130{shown(cli)}")
    expect(not cli.stderr.strip(), f"after SIGINT stderr should be empty, got:\n{cli.stderr[-800:]}")
