"""Auth-log material for the grader: a seeded generator (sample and perf input) and hypothesis strategies."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from hypothesis import strategies as st

USERS = ["root", "admin", "ubuntu", "test", "oracle", "postgres", "git", "deploy", "alice", "bob", "carol", "dave"]
HOSTS = ["web1", "web2", "db1"]
START = 1_709_251_200  # 2024-03-01T00:00:00Z


def _stamp(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def make_log(
    n: int,
    attackers: int,
    seed: int,
    *,
    failures: float = 0.55,
    logins: float = 0.2,
    guessed_names: float = 0.3,
    noise: float = 0.02,
) -> list[str]:
    """`n` lines of a plausible sshd log: brute force from `attackers` IPs, logins, other sshd chatter, some noise.

    A share `failures` of the lines are failed logins, `logins` accepted ones, the rest other sshd messages; a share
    `guessed_names` of the failures try a made-up user name (invalid user user1234).
    Timestamps mostly increase; one line in ten is a few seconds early (logs merged from several hosts).
    """
    rng = random.Random(seed)

    def ip() -> str:
        return f"{rng.randrange(1, 224)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"

    bad = [ip() for _ in range(attackers)]
    good = [ip() for _ in range(max(1, attackers // 4))] + [f"2001:db8::{i:x}" for i in range(5)]
    now = START
    lines = []
    for _ in range(n):
        now += rng.randrange(0, 6)
        when = now - rng.randrange(0, 20) if rng.random() < 0.1 else now
        stamp = _stamp(when)
        head = f"{stamp} {rng.choice(HOSTS)} sshd[{rng.randrange(100, 65000)}]: "
        roll = rng.random()
        port = rng.randrange(1024, 65536)
        if roll < failures:
            user = rng.choice(USERS[:8]) if rng.random() < 1 - guessed_names else f"user{rng.randrange(2000)}"
            invalid = "" if user in USERS else "invalid user "
            message = f"Failed password for {invalid}{user} from {rng.choice(bad)} port {port} ssh2"
        elif roll < failures + logins:
            source = rng.choice(good) if rng.random() < 0.8 else rng.choice(bad)
            how = rng.choice(["password", "publickey"])
            message = f"Accepted {how} for {rng.choice(USERS)} from {source} port {port} ssh2"
        else:
            message = rng.choice(
                [
                    f"Connection closed by {rng.choice(bad)} port {port} [preauth]",
                    f"Received disconnect from {rng.choice(bad)} port {port}:11: Bye Bye [preauth]",
                    "pam_unix(sshd:session): session opened for user alice(uid=1000) by (uid=0)",
                ]
            )
        line = head + message
        if rng.random() < noise:
            line = rng.choice(
                [
                    line.replace("sshd", "CRON"),
                    line[: rng.randrange(5, len(line))],
                    line.replace(stamp, stamp.replace("T", " ")),
                    line.replace(stamp, stamp.replace("-03-", "-02-").replace("-01T", "-30T")),
                    line.replace(" port ", " port x"),
                ]
            )
        lines.append(line + "\n")
    return lines


# ------------------------------------------------------------------------------------------ hypothesis

_EPOCH_0001 = datetime(1, 1, 1)
_LAST_SECOND = int((datetime(9999, 12, 31, 23, 59, 59) - _EPOCH_0001).total_seconds())
BAD_STAMPS = [
    "2023-02-29T12:00:00Z",  # not a leap year
    "2024-02-30T12:00:00Z",
    "2024-13-01T00:00:00Z",
    "2024-04-31T23:59:59Z",
    "0000-01-01T00:00:00Z",
    "2024-01-01T24:00:00Z",
    "2024-01-01T23:60:00Z",
    "2024-01-01T23:59:60Z",
    "2024-1-01T00:00:00Z",
    "2024-01-01 00:00:00Z",
    "2024-01-01T00:00:00",
    "2024-01-01t00:00:00z",
    "２０２４-01-01T00:00:00Z",  # full-width digits
    "2024-01-01T00:00:00+00:00",
]
BAD_IPS = ["999.1.1.1", "1.2.3", "01.2.3.4", "::g", "1.2.3.4.5", "localhost", "fe80::1%eth0", "1.2.3.4:22"]
TEMPLATES = [
    "Failed password for {user} from {ip} port {port} ssh2",
    "Failed password for invalid user {user} from {ip} port {port} ssh2",
    "Accepted password for {user} from {ip} port {port} ssh2",
    "Accepted publickey for {user} from {ip} port {port} ssh2",
]
OTHER_TEMPLATES = [
    "Accepted keyboard-interactive for {user} from {ip} port {port} ssh2",
    "Connection closed by {ip} port {port} [preauth]",
    "Failed password for invalid user from {ip} port {port} ssh2",
    "Failed password for {user} from {ip} port {port} ssh2 [extra]",
    "pam_unix(sshd:session): session opened for user {user}(uid=1000) by (uid=0)",
]
MUTATIONS = [
    lambda line: line.replace(" ", "  ", 1),
    lambda line: line.replace(" ", "\t", 1),
    lambda line: line.replace("sshd[", "CRON[", 1),
    lambda line: line.replace("sshd[", "sshd2[", 1),
    lambda line: line.replace("]: ", "] ", 1),
    lambda line: line.replace(" port ", " port x", 1),
    lambda line: line + "\r",
    lambda line: line + "\n\n",
    lambda line: line.replace(" ssh2", " ssh2 ", 1),
    lambda line: " " + line,
]


def stamp_at(second: int) -> str:
    """The timestamp `second` seconds after 0001-01-01T00:00:00 (any year 0001–9999)."""
    return (_EPOCH_0001 + timedelta(seconds=second)).strftime("%Y-%m-%dT%H:%M:%S").rjust(19, "0") + "Z"


VALID_STAMPS = st.integers(0, _LAST_SECOND).map(stamp_at) | st.integers(START, START + 86_400 * 30).map(_stamp)
USER_NAMES = st.sampled_from(USERS) | st.text(
    st.characters(blacklist_categories=["Cs", "Zs", "Zl", "Zp", "Cc"]), min_size=1, max_size=5
)
VALID_IPS = st.sampled_from(["10.0.0.1", "10.0.0.2", "192.0.2.33", "2001:db8::1"]) | st.ip_addresses().map(str)


@st.composite
def log_lines(draw: st.DrawFn) -> str:
    """One line: mostly login attempts, also other sshd chatter, damaged lines (one defect each) and junk."""
    kind = draw(st.integers(0, 9))
    if kind == 9:
        return draw(st.text(max_size=40))
    stamp = draw(VALID_STAMPS) if kind != 8 else draw(st.sampled_from(BAD_STAMPS))
    ip = draw(VALID_IPS) if kind != 7 else draw(st.sampled_from(BAD_IPS))
    template = draw(st.sampled_from(OTHER_TEMPLATES if kind == 6 else TEMPLATES))
    message = template.format(user=draw(USER_NAMES), ip=ip, port=draw(st.integers(0, 65535)))
    line = f"{stamp} {draw(st.sampled_from(HOSTS))} sshd[{draw(st.integers(1, 99999))}]: {message}"
    if kind == 5:
        line = draw(st.sampled_from(MUTATIONS))(line)
    return line + draw(st.sampled_from(["\n", "\n", ""]))


@st.composite
def attack_bursts(draw: st.DrawFn) -> list[str]:
    """Failures and logins from two IPs within minutes, partly out of time order: break-in material.

    Each step moves the clock by −60…+90 s, so windows of 10 minutes fill up and are crossed both ways.
    """
    steps = draw(
        st.lists(
            st.tuples(st.integers(-60, 90), st.integers(0, 3), st.integers(0, 4), st.sampled_from(USERS[:3])),
            min_size=10,
            max_size=40,
        )
    )
    now = draw(st.integers(START, START + 86_400 * 365))
    lines = []
    for step, which, roll, user in steps:
        now += step
        ip = "2001:db8::7" if which == 0 else "10.0.0.1"
        verb = "Accepted password" if roll == 0 else "Failed password"
        lines.append(f"{_stamp(now)} web1 sshd[4242]: {verb} for {user} from {ip} port 50000 ssh2\n")
    return lines
