"""A backlog at the speed of the wire: how long `contribd run --once` takes over a mailbox of
K contributions, next to the floor (a minimal client fetching every body over the same TLS),
and how much memory it needs for one very large attachment.

Run through scripts/bench-backlog, which builds the binaries and starts the mail sandbox.
The mailbox is filled by writing Maildir files while Dovecot is stopped, snapshotted, and
restored before every run (contribd moves what it registers). Each figure is the median of
--runs runs; peak RSS comes from GNU time. Replies are sent in the same run; the time spent
sending them is measured from the moment contribd logs the end of its mailbox pass.
With --publish on, contribd also writes the document lists ([publish] dir, SPEC step 11); with
--publish both, every run is made once without and once with them, and the summary compares the
two and counts how often the lists were written against the batches of the pass.
"""

import argparse
import base64
import json
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "integration"))

import harness  # noqa: E402
import mailenv  # noqa: E402
from harness import SECRETARIAT  # noqa: E402

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SENDERS = mailenv.PARTICIPANTS
MAIL_USER = "vmail"


def attachment_size_for(message_bytes):
    """Binary bytes whose base64 (76-column lines) makes a message of about message_bytes."""
    return max(1, int((message_bytes - 1500) * 3 / 4 * 76 / 77))


def contribution_bytes(number, attachment):
    sender = SENDERS[number % len(SENDERS)]
    boundary = f"=-=bench-{number}-=-="
    encoded = base64.encodebytes(attachment)
    head = (
        f"Return-Path: <{sender}>\n"
        f"From: Participant {number} <{sender}>\n"
        f"To: {SECRETARIAT}\n"
        f"Subject: Backlog contribution {number}\n"
        f"Message-ID: <bench-{number}-{os.getpid()}@member.test>\n"
        "Date: Mon, 20 Jul 2020 08:00:00 +0000\n"
        "MIME-Version: 1.0\n"
        f'Content-Type: multipart/mixed; boundary="{boundary}"\n\n'
        f"--{boundary}\n"
        "Content-Type: text/plain; charset=utf-8\n\n"
        "Please find our contribution attached.\n\n"
        f"--{boundary}\n"
        f"Content-Type: {DOCX}\n"
        "Content-Transfer-Encoding: base64\n"
        f'Content-Disposition: attachment; filename="QIT4N-contribution-{number:04d}.docx"\n\n'
    ).encode()
    return head + encoded + f"\n--{boundary}--\n".encode()


def secretariat_maildir():
    return Path(mailenv.maildir(SECRETARIAT))


def chown_tree(path):
    subprocess.run(["chown", "-R", f"{MAIL_USER}:{MAIL_USER}", str(path)], check=True)


def fill_mailbox(count, message_bytes, received, snapshot):
    """Writes `count` contributions into the secretariat's INBOX with Dovecot stopped, lets
    Dovecot index them once, and keeps a copy of the Maildir in `snapshot`."""
    mailenv.ctl("stop-dovecot")
    box = secretariat_maildir()
    shutil.rmtree(box, ignore_errors=True)
    for sub in ("cur", "new", "tmp"):
        (box / sub).mkdir(parents=True)
    size = attachment_size_for(message_bytes)
    for number in range(1, count + 1):
        path = box / "cur" / f"{int(received)}.M{number}P{os.getpid()}.bench:2,"
        path.write_bytes(contribution_bytes(number, os.urandom(size)))
        os.utime(path, (received, received))
    chown_tree(box)
    mailenv.ctl("start-dovecot")
    raw_fetch_once()  # Dovecot builds its index and UID list, which the snapshot keeps
    mailenv.ctl("stop-dovecot")
    shutil.rmtree(snapshot, ignore_errors=True)
    shutil.copytree(box, snapshot, symlinks=True)
    mailenv.ctl("start-dovecot")


def empty_mailbox():
    """Leaves the secretariat's Maildir empty, folders and Dovecot's indexes included: the
    file-level restores bypass Dovecot's folder list, which IMAP alone could not clean."""
    mailenv.ctl("stop-dovecot")
    box = secretariat_maildir()
    shutil.rmtree(box, ignore_errors=True)
    for sub in ("cur", "new", "tmp"):
        (box / sub).mkdir(parents=True)
    chown_tree(box)
    mailenv.ctl("start-dovecot")


def restore_mailbox(snapshot):
    mailenv.ctl("stop-dovecot")
    box = secretariat_maildir()
    shutil.rmtree(box, ignore_errors=True)
    shutil.copytree(snapshot, box, symlinks=True)
    chown_tree(box)
    # The copy's dirty pages are written out now, not by the first sync of whoever runs next.
    os.sync()
    mailenv.ctl("start-dovecot")


RAW_FETCH = None
WORKDIR = None
WRAP = []  # a profiler to run contribd under (--wrap)
CONTRIBD_FLAGS = []  # -v with --verbose
CONTRIBD_LOG = None  # where contribd's log goes (--log), else nowhere


def raw_fetch_once():
    """Runs the minimal client; returns (seconds, peak RSS in KiB, its JSON report)."""
    command = [RAW_FETCH, "127.0.0.1", str(mailenv.IMAPS_PORT), mailenv.CA, SECRETARIAT,
               mailenv.password_file(SECRETARIAT), "INBOX"]
    rss_file = Path(WORKDIR) / "raw-fetch.rss"
    start = time.monotonic()
    process = subprocess.Popen(with_peak_rss(command, rss_file), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    out, err = process.communicate()
    seconds = time.monotonic() - start
    if process.returncode != 0:
        raise RuntimeError(f"bench_raw_fetch failed: {err.decode(errors='replace')}")
    return seconds, peak_rss_kib(rss_file), json.loads(out)


def with_peak_rss(command, out_file):
    """The command run under GNU time, which writes the child's peak RSS (KiB) to out_file.
    wait4() from this process would report at least Python's own size: a child's maximum RSS
    counts its pre-exec pages too."""
    return ["/usr/bin/time", "-f", "%M %U %S", "-o", str(out_file), *command]


def peak_rss_kib(out_file):
    return int(Path(out_file).read_text().split()[-3])


def cpu_seconds(out_file):
    """User + system CPU time of the command, from GNU time."""
    user, system = Path(out_file).read_text().split()[-2:]
    return float(user) + float(system)


def count_replies():
    count = 0
    for address in SENDERS:
        for sub in ("new", "cur"):
            folder = Path(mailenv.maildir(address)) / sub
            count += sum(1 for _ in folder.iterdir()) if folder.is_dir() else 0
    return count


def clear_replies():
    for address in SENDERS:
        for sub in ("new", "cur"):
            folder = Path(mailenv.maildir(address)) / sub
            for path in folder.glob("*"):
                path.unlink(missing_ok=True)


def contribd_once(binary, config_path, expected, replies_expected, flags=None):
    """Runs `contribd run --once`; returns a dict of the measured figures."""
    log_lines = []
    pass_done = {}
    start = time.monotonic()
    rss_file = Path(WORKDIR) / "contribd.rss"
    flags = CONTRIBD_FLAGS if flags is None else flags
    command = [*WRAP, binary, *flags, "run", "--config", config_path, "--once"]
    process = subprocess.Popen(with_peak_rss(command, rss_file), stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)

    def read_log():
        for line in process.stderr:
            if "mailbox pass:" in line and "at" not in pass_done:
                pass_done["at"] = time.monotonic()
                pass_done["line"] = line.strip()
            log_lines.append(line)

    reader = threading.Thread(target=read_log)
    reader.start()
    process.wait()
    seconds = time.monotonic() - start
    reader.join()
    if CONTRIBD_LOG:
        with open(CONTRIBD_LOG, "a") as log:
            log.writelines(log_lines)
    if process.returncode != 0 or "at" not in pass_done:
        problems = [line for line in log_lines if " error " in line or " warning " in line]
        tail = "".join(problems[:10] + log_lines[-5:])
        raise RuntimeError(f"contribd run --once exited {process.returncode}:\n{tail}")
    registered = int(re.search(r"(\d+) registered", pass_done["line"]).group(1))
    if registered != expected:
        raise RuntimeError(f"contribd registered {registered} of {expected}: {pass_done['line']}")
    intake = pass_done["at"] - start
    delivered_by = time.monotonic() + 600
    while replies_expected and count_replies() < replies_expected:
        if time.monotonic() > delivered_by:
            raise RuntimeError(f"only {count_replies()} of {replies_expected} replies delivered")
        time.sleep(0.2)
    published = [line for line in log_lines if "published the document lists" in line]
    return {"seconds": seconds, "intake_seconds": intake, "sending_seconds": seconds - intake,
            "peak_rss_kib": peak_rss_kib(rss_file), "cpu_seconds": cpu_seconds(rss_file),
            "publications": len(published),
            "publish_seconds": sum(float(re.search(r"in ([0-9.]+) s$", line.strip()).group(1))
                                   for line in published),
            "batches": sum("batch of " in line for line in log_lines)}


def enable_publishing(contribd, folder):
    """Adds the [publish] table: the document lists go to FOLDER."""
    shutil.rmtree(folder, ignore_errors=True)
    with open(contribd.config_path, "a") as config:
        config.write(f'\n[publish]\ndir = "{folder}"\n')


def measure_case(name, count, message_bytes, runs, binary, workdir, received, publish="off"):
    """One summary per publishing mode measured (off, on, or both), runs interleaved so that
    both modes meet the same machine."""
    snapshot = workdir / f"snapshot-{name}"
    print(f"[{name}] writing {count} message(s) of about {message_bytes / 1e6:.1f} MB",
          flush=True)
    fill_mailbox(count, message_bytes, received, snapshot)
    modes = {"off": [False], "on": [True], "both": [False, True]}[publish]
    raw_runs, contribd_runs = [], {mode: [] for mode in modes}
    total_bytes = 0
    for run in range(1, runs + 1):
        restore_mailbox(snapshot)
        seconds, rss, report = raw_fetch_once()
        if report["messages"] != count:
            raise RuntimeError(f"raw fetch saw {report['messages']} messages, not {count}")
        total_bytes = report["bytes"]
        raw_runs.append({"seconds": seconds, "peak_rss_kib": rss,
                         "fetch_seconds": report["fetch_seconds"],
                         "cpu_seconds": cpu_seconds(Path(WORKDIR) / "raw-fetch.rss")})
        for publishing in modes:
            restore_mailbox(snapshot)
            clear_replies()
            deadline = received + 10 * 86400
            # Neither limit may withhold a reply: every one is measured.
            contribd = harness.Contribd(deadline=deadline, max_per_hour=1_000_000,
                                        replies_extra="max_per_hour = 1000000")
            flags = None
            if publishing:
                enable_publishing(contribd, workdir / "public")
                flags = ["-v"]  # the batches are counted from the debug log
            elif publish == "both":
                flags = ["-v"]  # the same logging as the runs it is compared with
            try:
                figures = contribd_once(binary, contribd.config_path, count, count, flags)
            finally:
                contribd.remove()
            contribd_runs[publishing].append(figures)
            lists = (f"; lists written {figures['publications']} time(s) in "
                     f"{figures['publish_seconds']:.3f} s for {figures['batches']} batches"
                     if publishing else "")
            print(f"[{name}{' +publish' if publishing else ''}] run {run}: raw fetch "
                  f"{seconds:.2f} s; contribd {figures['seconds']:.2f} s (intake "
                  f"{figures['intake_seconds']:.2f} s, sending {figures['sending_seconds']:.2f}"
                  f" s), CPU {figures['cpu_seconds']:.2f} s, peak RSS "
                  f"{figures['peak_rss_kib'] / 1024:.1f} MiB{lists}", flush=True)
    clear_replies()
    return [summarize(name + (" +publish" if publishing else ""), count, total_bytes, raw_runs,
                      contribd_runs[publishing], publishing)
            for publishing in modes]


def median(runs, key):
    return statistics.median(run[key] for run in runs)


def summarize(name, count, total_bytes, raw_runs, contribd_runs, publishing=False):
    raw = median(raw_runs, "seconds")
    total = median(contribd_runs, "seconds")
    intake = median(contribd_runs, "intake_seconds")
    return {
        "publishing": publishing,
        "publications": max(run["publications"] for run in contribd_runs),
        "publish_seconds": median(contribd_runs, "publish_seconds"),
        "batches": min(run["batches"] for run in contribd_runs),
        "case": name,
        "messages": count,
        "megabytes": total_bytes / 1e6,
        "raw_fetch": {"seconds": raw, "messages_per_s": count / raw,
                      "mb_per_s": total_bytes / 1e6 / raw,
                      "cpu_seconds": median(raw_runs, "cpu_seconds"),
                      "peak_rss_mib": median(raw_runs, "peak_rss_kib") / 1024},
        "contribd": {"seconds": total, "intake_seconds": intake,
                     "sending_seconds": median(contribd_runs, "sending_seconds"),
                     "messages_per_s": count / total, "intake_messages_per_s": count / intake,
                     "mb_per_s": total_bytes / 1e6 / total,
                     "intake_mb_per_s": total_bytes / 1e6 / intake,
                     "cpu_seconds": median(contribd_runs, "cpu_seconds"),
                     "peak_rss_mib": median(contribd_runs, "peak_rss_kib") / 1024},
        "ratio_total_to_raw": total / raw,
        "ratio_intake_to_raw": intake / raw,
        "runs": {"raw_fetch": raw_runs, "contribd": contribd_runs},
    }


def print_summary(result):
    raw, ours = result["raw_fetch"], result["contribd"]
    print(f"\n== {result['case']}: {result['messages']} message(s), "
          f"{result['megabytes']:.1f} MB (median of {len(result['runs']['contribd'])})")
    print(f"  raw fetch        {raw['seconds']:7.2f} s  {raw['messages_per_s']:7.1f} msg/s  "
          f"{raw['mb_per_s']:6.1f} MB/s  peak RSS {raw['peak_rss_mib']:6.1f} MiB  "
          f"CPU {raw['cpu_seconds']:.2f} s")
    print(f"  contribd total   {ours['seconds']:7.2f} s  {ours['messages_per_s']:7.1f} msg/s  "
          f"{ours['mb_per_s']:6.1f} MB/s  peak RSS {ours['peak_rss_mib']:6.1f} MiB  "
          f"CPU {ours['cpu_seconds']:.2f} s")
    print(f"  contribd intake  {ours['intake_seconds']:7.2f} s  "
          f"{ours['intake_messages_per_s']:7.1f} msg/s  {ours['intake_mb_per_s']:6.1f} MB/s")
    print(f"  replies sending  {ours['sending_seconds']:7.2f} s")
    print(f"  ratio contribd/raw: total {result['ratio_total_to_raw']:.2f}, "
          f"intake {result['ratio_intake_to_raw']:.2f}")
    if result["publishing"]:
        print(f"  document lists   written at most {result['publications']} time(s) per run, "
              f"for at least {result['batches']} batches; {result['publish_seconds']:.3f} s "
              "(median)")


def print_publishing_cost(results):
    """Publishing on against off, for each case measured both ways."""
    by_name = {result["case"]: result for result in results}
    for result in results:
        off = by_name.get(result["case"].removesuffix(" +publish"))
        if not result["publishing"] or off is None or off is result:
            continue
        on_ours, off_ours = result["contribd"], off["contribd"]
        print(f"\n== {off['case']}: publishing on / off: intake "
              f"{on_ours['intake_seconds'] / off_ours['intake_seconds']:.2f}x, total "
              f"{on_ours['seconds'] / off_ours['seconds']:.2f}x; lists written "
              f"{result['publications']} time(s) per run for {result['batches']} batches")


def main():
    global RAW_FETCH, WORKDIR, CONTRIBD_LOG
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contribd", required=True)
    parser.add_argument("--raw-fetch", required=True)
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--message-kb", type=int, default=300)
    parser.add_argument("--large-mb", type=int, default=50,
                        help="attachment size of the single-message case; 0 skips it")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--workdir", default="/tmp/contribd-bench-backlog")
    parser.add_argument("--verbose", action="store_true", help="contribd logs debug detail")
    parser.add_argument("--log", help="append contribd's log of every run to this file")
    parser.add_argument("--publish", choices=("off", "on", "both"), default="off",
                        help="write the document lists too ([publish] dir); both: compare")
    parser.add_argument("--wrap", default="",
                        help='a command to run contribd under, e.g. "perf record -g -o F --"')
    args = parser.parse_args()
    RAW_FETCH = args.raw_fetch
    WRAP[:] = shlex.split(args.wrap)
    CONTRIBD_FLAGS[:] = ["-v"] if args.verbose else []
    CONTRIBD_LOG = args.log

    mailenv.start()
    harness.reset_mailboxes()
    workdir = Path(args.workdir)
    WORKDIR = workdir
    workdir.mkdir(parents=True, exist_ok=True)
    received = time.time() - 86400
    results = []
    if args.messages > 0:
        results += measure_case("backlog", args.messages, args.message_kb * 1000, args.runs,
                                args.contribd, workdir, received, args.publish)
    if args.large_mb > 0:
        message_bytes = int(args.large_mb * 1024 * 1024 * 4 / 3 * 77 / 76) + 1500
        results += measure_case("large", 1, message_bytes, args.runs, args.contribd, workdir,
                                received, args.publish)
    empty_mailbox()
    clear_replies()
    for result in results:
        print_summary(result)
    print_publishing_cost(results)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
