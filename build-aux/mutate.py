#!/usr/bin/env python3
# mutate.py: mutation testing of the core (issue 11)
#
# Copyright 2026 The K-AI Arena authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Plants one mutant at a time in a scratch copy of the tree (never in the developer's
# files), rebuilds incrementally, runs the tests named for that mutant and reports whether
# they caught it. Exit status 0 only when every mutant is killed; 1 when one survived, its
# snippet was not found (or found twice), or it did not build; 2 on a usage or setup error.
#
#   build-aux/mutate.py                     all mutants (about 8 minutes here)
#   build-aux/mutate.py --only sync         mutants whose id contains "sync"
#   build-aux/mutate.py --list              the list, nothing run
#   meson test -C _build --suite mutation   the same, as a meson test (not run by default)
#
# Mutants are keyed by a short snippet that must occur exactly once in its file, never by a
# line number, so they survive code moving around. See docs/testing.md.

import argparse
import filecmp
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

# (id, file, original snippet, replacement, tests, description). A test is
# "program" (all of it) or "program:/test/path" (one GLib test case and its children).
MUTANTS = [
    # The ballot chain (ka-ballot.c) -----------------------------------------------------
    ("ballot-prev-hash-unchecked", "src/core/ka-ballot.c",
     "if (strcmp (b->prev_hash, prev_hash) != 0)", "if (FALSE)",
     ["test-ballot"], "chain verification ignores a broken prev_hash link"),
    ("ballot-seq-gap", "src/core/ka-ballot.c",
     "b->seq != expected_seq", "FALSE",
     ["test-ballot:/ka/ballot/chain-seq-skip"], "chain verification accepts a gap in seq"),

    # The store (ka-store.c) --------------------------------------------------------------
    ("store-reveal-coalesce", "src/core/ka-store.c",
     "reveal_model_a = coalesce (?, reveal_model_a), reveal_model_b = coalesce (?, reveal_model_b) ",
     "reveal_model_a = ?, reveal_model_b = ? ",
     ["test-store:/ka/store/requeue"], "a later settlement without names wipes revealed names"),
    ("store-requeue-off-by-one", "src/core/ka-store.c",
     "AND seq > ? AND delivery = 'delivered'\"", "AND seq >= ? AND delivery = 'delivered'\"",
     ["test-store:/ka/store/requeue"], "requeue also takes back the collector's last ballot"),
    ("store-requeue-rejected", "src/core/ka-store.c",
     "AND seq > ? AND delivery = 'delivered'\"", "AND seq > ? AND delivery != 'pending'\"",
     ["test-store:/ka/store/requeue"], "requeue releases quarantined (rejected) ballots"),
    ("store-requeue-any-device", "src/core/ka-store.c",
     "WHERE device_id = ? AND seq > ? AND delivery = 'delivered'",
     "WHERE device_id != '' AND ? IS NOT NULL AND seq > ? AND delivery = 'delivered'",
     ["test-store:/ka/store/requeue"], "requeue touches every device's chain"),
    ("store-delivered-downgrade", "src/core/ka-store.c",
     "if (g_strcmp0 (current, \"delivered\") == 0 && s->state != KA_DELIVERY_DELIVERED)",
     "if (FALSE)",
     ["test-store:/ka/store/outbox"], "a delivered ballot can become pending again"),
    ("store-settle-downgrade", "src/core/ka-store.c",
     "if (g_strcmp0 (current, \"delivered\") == 0 && s->state != KA_DELIVERY_DELIVERED)",
     "if (FALSE)",
     ["test-sync:/ka/sync/store-outbox"], "a settlement turns a delivered ballot rejected"),

    # The sync client (ka-sync.c) ---------------------------------------------------------
    ("sync-chain-head-diverged", "src/core/ka-sync.c",
     "if (strcmp (local->hash, head) != 0)", "if (FALSE)",
     ["test-sync:/ka/sync/chain-check"], "a diverged chain head is taken for ours"),
    ("sync-chain-zero-non-genesis", "src/core/ka-sync.c",
     "if (strcmp (head, KA_BALLOT_GENESIS_HASH) != 0)", "if (FALSE)",
     ["test-sync:/ka/sync/chain-check"], "0 ballots with a non-genesis head is accepted"),
    ("sync-chain-more-than-cast", "src/core/ka-sync.c",
     "  if (local == NULL)\n    {\n      g_set_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_DIVERGED,",
     "  if (local == NULL)\n    return TRUE;\n  if (FALSE)\n    {\n"
     "      g_set_error (error, KA_SYNC_ERROR, KA_SYNC_ERROR_DIVERGED,",
     ["test-sync:/ka/sync/chain-check"], "a collector claiming more ballots than cast passes"),
    ("sync-reveal-rejected", "src/core/ka-sync.c",
     "results[GPOINTER_TO_UINT (position)].kind != RESULT_REJECTED", "TRUE",
     ["test-sync:/ka/sync/reveal-rejected"], "model names stored for a rejected ballot"),
    ("sync-requeue-skipped", "src/core/ka-sync.c",
     "n = ka_store_requeue_delivered (pass->store, pass->device_id, count, error);",
     "n = 0;",
     ["test-sync:/ka/sync/restore"], "a collector restored from a backup is not refilled"),
    ("sync-device-id-unchecked", "src/core/ka-sync.c",
     "g_strcmp0 (member_string (object, \"device_id\"), pass->device_id) != 0", "FALSE",
     ["test-sync:/ka/sync/chain-check"], "the chain answer for another device is believed"),
    ("sync-rejected-as-delivered", "src/core/ka-sync.c",
     "s->state = KA_DELIVERY_REJECTED;", "s->state = KA_DELIVERY_DELIVERED;",
     ["test-sync:/ka/sync/rejected"], "rejected ballots are settled as delivered"),
    ("sync-extra-id-accepted", "src/core/ka-sync.c",
     "if (!g_hash_table_lookup_extended (index, id, NULL, &position))\n        {",
     "if (!g_hash_table_lookup_extended (index, id, NULL, &position))\n        continue;\n"
     "      if (FALSE)\n        {",
     ["test-sync:/ka/sync/malformed"], "a receipt naming a ballot not sent is believed"),
    ("sync-insecure-url", "src/core/ka-sync.c",
     "if (address != NULL && g_inet_address_get_is_loopback (address))",
     "if (address != NULL)",
     ["test-sync:/ka/sync/server-url"], "plain http to a non-loopback address is allowed"),
    ("sync-backoff-no-cap", "src/core/ka-sync.c",
     "ceiling = MIN (ceiling, cap_ms);", "ceiling = ceiling * 2;",
     ["test-sync:/ka/sync/backoff"], "the retry backoff grows without bound"),

    # The collector's acceptance (ka-collector.c, ka-collector-db.c) ----------------------
    ("pin-equal-prefix", "src/core/ka-pin.c",
     "for (gsize i = 0; i < length; i++)\n    diff |= a[i] ^ b[i];",
     "for (gsize i = 0; i < length && i < 8; i++)\n    diff |= a[i] ^ b[i];",
     ["test-pin:/ka/pin/equal", "test-collector:/ka/collector/organiser-token"],
     "the constant-time comparison checks only 8 bytes (8 hex digits of a token digest)"),
    ("collector-token-prefix", "src/collector/ka-collector.c",
     "ka_pin_equal ((const guint8 *) a, (const guint8 *) b, la);",
     "ka_pin_equal ((const guint8 *) a, (const guint8 *) b, MIN (la, 8));",
     ["test-collector:/ka/collector/organiser-token-digest"],
     "the organiser-token comparison checks only 8 hex digits"),
    ("collector-token-unchecked", "src/collector/ka-collector.c",
     "if (!equal_in_constant_time (token_sha256, self->organiser_token_sha256))",
     "if (FALSE)",
     ["test-collector:/ka/collector/organiser-token"], "any organiser token is accepted"),
    ("collector-enrolment-code-unchecked", "src/collector/ka-collector.c",
     "!equal_in_constant_time (presented_sha256, self->enrolment_code_sha256)", "FALSE",
     ["test-collector:/ka/collector/organiser-token"], "any kiosk enrolment code is accepted"),
    ("collector-hash-unchecked", "src/collector/ka-collector.c",
     "if (!ka_ballot_verify_hash (b))", "if (FALSE)",
     ["test-collector"], "a ballot altered after sealing is accepted"),
    ("collector-chain-break", "src/collector/ka-collector-db.c",
     "if (b->seq != chain_count + 1 || strcmp (b->prev_hash, chain_head) != 0)",
     "if (b->seq != chain_count + 1)",
     ["test-collector"], "a ballot that does not link to the chain head is accepted"),
    ("collector-conflict-as-duplicate", "src/collector/ka-collector-db.c",
     "if (g_strcmp0 (stored, item->canonical) == 0)", "if (TRUE)",
     ["test-collector"], "a different ballot under a stored ballot_id counts as duplicate"),

    # The scheduler's balance (ka-scheduler.c) --------------------------------------------
    ("scheduler-overall-side-inverted", "src/core/ka-scheduler.c",
     "x_minus_y = dx < dy ? -1 : dx > dy ? 1 : 0;",
     "x_minus_y = dx < dy ? 1 : dx > dy ? -1 : 0;",
     ["test-scheduler:/ka/scheduler/tie-breaks"], "the overall left/right tie-break inverted"),
    ("scheduler-pair-ties-not-random", "src/core/ka-scheduler.c",
     "choice = n_ties == 1 ? 0 : (guint) g_rand_int_range (self->rand, 0, (gint32) n_ties);",
     "choice = 0;",
     ["test-scheduler:/ka/scheduler/tie-breaks"], "ties between pairs no longer broken at random"),
    ("scheduler-orientation-ignored", "src/core/ka-scheduler.c",
     "x_minus_y = (gint) pair->x_left - (gint) (pair->count - pair->x_left);",
     "x_minus_y = 0;",
     ["test-scheduler:/ka/scheduler/balance-synthetic"], "a pair's own orientation not balanced"),
    ("scheduler-fewest-first", "src/core/ka-scheduler.c",
     "if (self->pairs[p].count < min_count)", "if (self->pairs[p].count > min_count || min_count == G_MAXUINT)",
     ["test-scheduler:/ka/scheduler/balance-synthetic"], "the most-shown pair is chosen first"),

    # Ratings (ka-rating.c) ----------------------------------------------------------------
    ("rating-quantile-lower", "src/core/ka-bootstrap.c",
     "return v[lo] + (pos - lo) * (v[hi] - v[lo]);", "return v[lo];",
     ["test-rating:/ka/rating/bootstrap-quantile"], "bootstrap quantile without interpolation"),
    ("rating-quantile-rule", "src/core/ka-bootstrap.c",
     "double pos = q * (n - 1);", "double pos = MIN (q * n, n - 1);",
     ["test-rating:/ka/rating/bootstrap-quantile"], "a wrong bootstrap quantile rule (q n)"),
    ("rating-quantile-swapped", "src/core/ka-bootstrap.c",
     "upper[i] = quantile_sorted (column, rounds, 0.975);",
     "upper[i] = quantile_sorted (column, rounds, 0.95);",
     ["test-rating:/ka/rating/bootstrap-quantile"], "a 90 % interval reported as 95 %"),

    # Export audit (ka-export.c) ----------------------------------------------------------
    ("export-audit-duplicate", "src/core/ka-export-audit.c",
     "if (g_hash_table_contains (st->index, b->ballot_id))", "if (FALSE)",
     ["test-export:/ka/export/audit-duplicated"], "the audit misses a duplicated ballot"),

    ("export-audit-reordered", "src/core/ka-export-audit.c",
     "  if (pos < oc->last_pos)\n    report (problems, KA_AUDIT_REORDERED,",
     "  if (FALSE)\n    report (problems, KA_AUDIT_REORDERED,",
     ["test-export:/ka/export/audit-swapped"], "the audit misses ballots out of order"),
    ("export-audit-altered", "src/core/ka-export-audit.c",
     "      if (!ka_ballot_verify_hash (b))\n        report (problems, KA_AUDIT_ALTERED,",
     "      if (FALSE)\n        report (problems, KA_AUDIT_ALTERED,",
     ["test-export:/ka/export/audit-altered"], "the audit misses an altered ballot"),
    ("store-synchronous-normal", "src/core/ka-store.c",
     "\"PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;\"",
     "\"PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;\"",
     ["test-store:/ka/store/pragmas"], "ballots written with synchronous=NORMAL"),
    ("scheduler-side-count-swapped", "src/core/ka-scheduler.c",
     "  self->model_left[a]++;\n  self->model_right[b]++;\n}",
     "  self->model_left[b]++;\n  self->model_right[a]++;\n}",
     ["test-scheduler:/ka/scheduler/count-battle"],
     "history counts the sides the wrong way round"),

    # Kiosk PIN (ka-pin.c) ------------------------------------------------------------------
    ("pin-lockout-free-attempts", "src/core/ka-pin.c",
     "if (failures < KA_PIN_FREE_ATTEMPTS)", "if (failures <= KA_PIN_FREE_ATTEMPTS)",
     ["test-pin"], "one more free wrong PIN before the lockout"),
    ("pin-lockout-not-written-first", "src/core/ka-pin.c",
     "  if (!write_lockout (store, &tentative, error))\n    return FALSE;\n",
     "",
     ["test-pin"], "the failure is not recorded before the slow hash"),
    ("pin-rehash-skipped", "src/core/ka-pin.c",
     "if (needs_rehash && !upgrade_record (store, pin, &local_error))",
     "if (FALSE)",
     ["test-pin:/ka/pin/migrate-pbkdf2"], "a PBKDF2 record is never upgraded"),

    # Pack loader (ka-pack.c) ----------------------------------------------------------------
    ("pack-nul-accepted", "src/core/ka-pack.c",
     "nul = memchr (data, '\\0', len);", "nul = NULL;",
     ["test-pack:/ka/pack/nul"], "a raw NUL in a pack is not reported as such"),
]

# No --werror: a mutant that leaves a variable unused must still build.
MESON_OPTIONS = ["-Ddevelopment=true"]


def log(msg):
    print(msg, flush=True)


def tree_files(source):
    out = subprocess.run(["git", "-C", source, "ls-files", "-z", "--cached", "--others",
                          "--exclude-standard"], check=True, capture_output=True).stdout
    return [f for f in out.decode().split("\0") if f]


def sync_tree(source, scratch):
    """Copies the working tree (tracked and untracked, not ignored) into @scratch, touching
    only files that differ so that the next build stays incremental."""
    copied = 0
    for rel in tree_files(source):
        src = os.path.join(source, rel)
        dst = os.path.join(scratch, rel)
        if not os.path.isfile(src):
            continue
        if os.path.exists(dst) and filecmp.cmp(src, dst, shallow=False):
            continue
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy2(src, dst)
        copied += 1
    return copied


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **kw)


class Runner:
    def __init__(self, scratch, timeout, verbose):
        self.scratch = scratch
        self.build = os.path.join(scratch, "_build-mutate")
        self.timeout = timeout
        self.verbose = verbose
        self.tests = {}
        self.targets = {}

    def setup(self):
        if os.path.exists(os.path.join(self.build, "build.ninja")):
            r = run(["meson", "configure", self.build, "-Dwerror=false", "-Dc_args="]
                    + MESON_OPTIONS)
        else:
            r = run(["meson", "setup", self.build] + MESON_OPTIONS, cwd=self.scratch)
        if r.returncode != 0:
            sys.stderr.write(r.stdout.decode(errors="replace"))
            raise SystemExit(2)
        tests = json.loads(run(["meson", "introspect", self.build, "--tests"]).stdout)
        targets = json.loads(run(["meson", "introspect", self.build, "--targets"]).stdout)
        self.tests = {t["name"]: t for t in tests}
        for t in targets:
            for f in t.get("filename", []):
                self.targets[t["id"]] = os.path.relpath(f, self.build)

    def ninja_targets(self, names):
        wanted = set()
        for name in {n.partition(":")[0] for n in names}:
            test = self.tests.get(name)
            if test is None:
                raise SystemExit("mutate.py: no meson test named %s" % name)
            wanted.add(os.path.relpath(test["cmd"][0], self.build))
            for dep in test.get("depends", []):
                if dep in self.targets:
                    wanted.add(self.targets[dep])
        return sorted(wanted)

    def build_targets(self, names):
        r = run(["ninja", "-C", self.build] + self.ninja_targets(names))
        return r.returncode == 0, r.stdout.decode(errors="replace")

    def run_test(self, spec, deadline):
        """Returns (passed, ran, output). @ran counts the test cases that reported."""
        name, _, path = spec.partition(":")
        test = self.tests[name]
        env = dict(os.environ)
        env.update(test.get("env", {}))
        cmd = list(test["cmd"])
        if test.get("protocol") == "tap" and not cmd[0].endswith(".py"):
            cmd.append("--tap")
        if path:
            cmd += ["-p", path]
        if "gui" in test.get("suite", []) or name == "test-a11y":
            if not env.get("DISPLAY"):
                cmd = ["xvfb-run", "-a", "-s", "-screen 0 1280x1024x24",
                       "dbus-run-session", "--"] + cmd
        left = max(5.0, deadline - time.monotonic())
        try:
            r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
                               cwd=test.get("workdir") or os.path.join(self.build, "tests"),
                               timeout=left, start_new_session=True)
        except subprocess.TimeoutExpired as e:
            return False, 0, "timeout after %.0f s\n%s" % (left, (e.stdout or b"").decode(
                errors="replace")[-2000:])
        out = r.stdout.decode(errors="replace")
        ran = sum(1 for line in out.splitlines()
                  if line.startswith("ok ") or line.startswith("not ok "))
        return r.returncode == 0, ran, out


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description="Plants mutants in a scratch copy of the "
                                     "tree and reports which ones the tests let through.")
    parser.add_argument("--source", default=os.path.dirname(here),
                        help="the source tree (default: this script's)")
    parser.add_argument("--scratch", default=None,
                        help="scratch directory, kept between runs for incremental builds "
                        "(default: $TMPDIR/ka-mutate-<user>-<tree name>)")
    parser.add_argument("--only", action="append", default=[],
                        help="run only mutants whose id contains this (repeatable)")
    parser.add_argument("--timeout", type=float, default=300,
                        help="seconds per mutant for its tests (default 300)")
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    parser.add_argument("--verbose", action="store_true", help="print test output")
    args = parser.parse_args()

    mutants = [m for m in MUTANTS if not args.only or any(o in m[0] for o in args.only)]
    if args.list:
        for m in mutants:
            log("%-36s %-30s %s" % (m[0], m[1], m[5]))
        log("%d mutants" % len(mutants))
        return 0
    if not mutants:
        log("mutate.py: no mutant matches")
        return 2

    source = os.path.abspath(args.source)
    scratch = args.scratch or os.path.join(
        tempfile.gettempdir(), "ka-mutate-%s-%s" % (os.environ.get("USER", str(os.getuid())),
                                                    os.path.basename(source)))
    scratch = os.path.abspath(scratch)
    if os.path.commonpath([scratch, source]) == source:
        raise SystemExit("mutate.py: the scratch directory must be outside the source tree")
    os.makedirs(scratch, exist_ok=True)
    os.environ.setdefault("CCACHE_BASEDIR", os.path.commonpath([scratch, source]))

    started = time.monotonic()
    log("mutate.py: %d mutants; scratch copy %s" % (len(mutants), scratch))
    log("copied %d changed files" % sync_tree(source, scratch))
    runner = Runner(scratch, args.timeout, args.verbose)
    runner.setup()

    all_tests = sorted({t.partition(":")[0] for m in mutants for t in m[4]})
    ok, out = runner.build_targets(all_tests)
    if not ok:
        sys.stderr.write(out[-6000:])
        log("mutate.py: the unmutated tree does not build")
        return 2

    # Baseline: every named test passes on the unmutated tree and really runs something.
    specs = sorted({t for m in mutants for t in m[4]})
    log("baseline: %d test selections" % len(specs))
    for spec in specs:
        t0 = time.monotonic()
        passed, ran, out = runner.run_test(spec, time.monotonic() + args.timeout)
        if not passed or ran == 0:
            sys.stderr.write(out[-6000:])
            log("mutate.py: baseline %s %s" % (spec, "ran no test" if passed else "FAILS"))
            return 2
        log("  %-50s ok (%d cases, %.1f s)" % (spec, ran, time.monotonic() - t0))

    results = []
    for (mid, rel, original, replacement, tests, description) in mutants:
        path = os.path.join(scratch, rel)
        t0 = time.monotonic()
        with open(path, encoding="utf-8") as f:
            text = f.read()
        n = text.count(original)
        if n != 1:
            results.append((mid, "not-found" if n == 0 else "ambiguous", description, 0.0, ""))
            log("%-36s %s" % (mid, results[-1][1]))
            continue
        stat = os.stat(path)
        try:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text.replace(original, replacement))
            ok, out = runner.build_targets(tests)
            if not ok:
                errors = [l for l in out.splitlines() if "error:" in l]
                verdict, detail = "build-failed", (errors[0] if errors else out[-300:])[:200]
            else:
                verdict, detail = "survived", ""
                deadline = time.monotonic() + args.timeout
                for spec in tests:
                    passed, ran, out = runner.run_test(spec, deadline)
                    if not passed:
                        verdict = "killed"
                        lines = [l for l in out.splitlines()
                                 if "ERROR" in l or l.startswith("not ok") or "timeout" in l]
                        detail = "%s: %s" % (spec, lines[0][:150] if lines else "failed")
                        break
        finally:
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            os.utime(path, ns=(stat.st_atime_ns, time.time_ns()))
        results.append((mid, verdict, description, time.monotonic() - t0, detail))
        log("%-36s %-12s %5.1f s  %s" % (mid, verdict, results[-1][3],
                                         detail if args.verbose or verdict != "killed" else
                                         detail[:110]))

    # Leave the scratch build matching the unmutated tree.
    runner.build_targets(all_tests)

    counts = {}
    for r in results:
        counts[r[1]] = counts.get(r[1], 0) + 1
    log("")
    log("Mutation report (%s)" % source)
    for r in results:
        log("  %-12s %-36s %s" % (r[1], r[0], r[2]))
    log("")
    log("total %d: killed %d, survived %d, not found %d, ambiguous %d, build failed %d "
        "(%.0f s)" % (len(results), counts.get("killed", 0), counts.get("survived", 0),
                      counts.get("not-found", 0), counts.get("ambiguous", 0),
                      counts.get("build-failed", 0), time.monotonic() - started))
    return 0 if counts.get("killed", 0) == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
