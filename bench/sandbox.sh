# Sourced by the benchmark scripts (scripts/bench-*): the benchmarks' own mail sandbox, with its
# own directory and ports unless the caller exported them, so that a benchmark never disturbs a
# sandbox used by tests; and the build of contribd they measure (Release with debug info, into
# $CONTRIBD_BUILD_DIR, default ./build-bench), unless $CONTRIBD_BIN names a binary already built.
export CONTRIBD_MAILENV_DIR="${CONTRIBD_MAILENV_DIR:-/tmp/contribd-bench-mailenv}"
export MAILENV_IMAPS_PORT="${MAILENV_IMAPS_PORT:-11993}"
export MAILENV_IMAP_PORT="${MAILENV_IMAP_PORT:-11143}"
export MAILENV_SUBMISSION_PORT="${MAILENV_SUBMISSION_PORT:-11587}"
export MAILENV_SMTPS_PORT="${MAILENV_SMTPS_PORT:-11465}"
export MAILENV_INBOUND_PORT="${MAILENV_INBOUND_PORT:-11025}"
# The benchmarks measure against Dovecot only: no Cyrus, whose ports would otherwise be the test
# sandbox's (a test run beside a benchmark sandbox could not start). Ports of its own should a
# caller turn it on.
export MAILENV_CYRUS="${MAILENV_CYRUS:-0}"
export MAILENV_CYRUS_IMAPS_PORT="${MAILENV_CYRUS_IMAPS_PORT:-11994}"
export MAILENV_CYRUS_IMAP_PORT="${MAILENV_CYRUS_IMAP_PORT:-11144}"

# bench_build TARGET...: configures and builds the targets into $BUILD_DIR.
bench_build() {
  cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCONTRIBD_BENCH=ON >/dev/null
  cmake --build "$BUILD_DIR" -j"$(nproc)" --target "$@" >/dev/null
}
