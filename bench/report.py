#!/usr/bin/env python3
"""Turns the raw output of bench/run.sh into bench/results/<UTC timestamp>.json and
bench/results/latest.md. Standard library only.

    report.py machine --root REPO --bin CASEKEEP --out machine.json
    report.py render --raw RAWDIR --results bench/results

Numbers are reported as measured: nothing is rounded before the comparison with a target, and
nothing is adjusted.
"""

import argparse
import json
import os
import platform
import re
import subprocess
import sys
from pathlib import Path

# Targets, checked on every backend.
P99_LIMIT_MS = 25.0
P99_SCENARIOS = ("b", "c", "d")
BY_ID_MIN_FRACTION_OF_HEALTH = 1.0 / 3.0

BACKEND_TITLES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}


def run(cmd, cwd=None):
    try:
        out = subprocess.run(
            cmd, cwd=cwd, capture_output=True, text=True, timeout=30, check=False
        )
        return (out.stdout or out.stderr).strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def machine(args):
    meminfo = {}
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            key, _, value = line.partition(":")
            meminfo[key] = value.strip()
    except OSError:
        pass
    cpu_model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_kib = int(meminfo.get("MemTotal", "0 kB").split()[0])
    # Uncommitted changes that can affect the binary: anything outside bench/.
    try:
        porcelain = subprocess.run(
            ["git", "status", "--porcelain"], cwd=args.root, capture_output=True, text=True,
            timeout=30, check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        porcelain = ""
    changed = [
        line[3:]
        for line in porcelain.splitlines()
        if len(line) > 3 and not line[3:].startswith("bench/")
    ]
    info = {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu_model": cpu_model,
        "memory_bytes": mem_kib * 1024,
        "kernel": platform.release(),
        "os": platform.platform(),
        "git_commit": run(["git", "rev-parse", "HEAD"], cwd=args.root),
        "git_dirty": bool(changed),
        "git_changed_paths": changed[:50],
        "casekeep_version": run([args.bin, "version"]),
        "wrk_version": run(["wrk", "-v"]).splitlines()[0] if run(["wrk", "-v"]) else "",
    }
    Path(args.out).write_text(json.dumps(info, indent=2) + "\n")


def read_env(path):
    """key=value lines; a later line wins."""
    out = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            key, sep, value = line.partition("=")
            if sep:
                out[key.strip()] = value.strip()
    return out


def num(value):
    if value is None or value == "":
        return None
    try:
        f = float(value)
    except ValueError:
        return None
    return int(f) if f.is_integer() else f


def scenario_result(bdir, key):
    env = read_env(bdir / f"scenario-{key}.env")
    if not env:
        return None
    sc = {
        "key": key,
        "name": env.get("name", ""),
        "path": env.get("path", ""),
    }
    if "skipped" in env:
        sc["skipped"] = env["skipped"]
        return sc
    raw_path = bdir / f"scenario-{key}.json"
    raw = None
    if raw_path.exists() and raw_path.read_text(errors="replace").strip():
        try:
            raw = json.loads(raw_path.read_text(errors="replace").strip().splitlines()[-1])
        except json.JSONDecodeError as e:
            sc["skipped"] = f"unreadable wrk result: {e}"
    if raw is None:
        sc.setdefault("skipped", f"wrk produced no result (exit status {env.get('wrk_status')})")
        wrk_out = bdir / f"scenario-{key}.wrk"
        if wrk_out.exists():
            sc["wrk_output"] = wrk_out.read_text(errors="replace")[-2000:]
        return sc
    duration_s = raw["duration_us"] / 1e6
    lat = raw["latency_us"]
    errors = dict(raw["errors"])
    errors["total"] = (
        errors["connect"] + errors["read"] + errors["write"] + errors["timeout"] + errors["non_2xx"]
    )
    sc.update(
        {
            "requests": raw["requests"],
            "duration_s": round(duration_s, 3),
            "rps": raw["requests"] / duration_s if duration_s > 0 else 0.0,
            "latency_ms": {k: lat[k] / 1000.0 for k in ("p50", "p90", "p99", "p999", "mean", "max")},
            "errors": errors,
            "statuses": raw.get("statuses", {}),
            "error_samples": raw.get("error_samples", []),
            "bytes": raw["bytes"],
            "rss_kib_after": num(env.get("rss_kib_after")),
            "after_change_ms": num(env.get("after_change_ms")),
            "server_log_lines": num(env.get("server_log_lines")) or 0,
        }
    )
    log = bdir / f"scenario-{key}.serverlog"
    if log.exists():
        lines = [l for l in log.read_text(errors="replace").splitlines() if l.strip()]
        if lines:
            sc["server_log_sample"] = lines[:20]
    return sc


def backend_result(raw, name):
    bdir = raw / name
    info = read_env(bdir / "info.env")
    res = {
        "status": "ok" if info.get("status") == "ok" and info.get("exit_status", "0") == "0" else "failed",
        "exit_status": num(info.get("exit_status")),
        "seconds_total": num(info.get("backend_seconds")),
        "generate_seconds": num(info.get("generate_seconds")),
        "generate_output": info.get("generate_output", ""),
        "settle_seconds": num(info.get("settle_seconds")),
        "server_start_seconds": num(info.get("server_start_seconds")),
        "database_bytes_after_generate": num(info.get("db_bytes_after_generate")),
        "database_bytes_after_run": num(info.get("db_bytes_after_run")),
        "sqlite_wal_bytes_after_run": num(info.get("sqlite_wal_bytes_after_run")),
        "database_bytes_after_stop": num(info.get("db_bytes_after_stop")),
        "rss_kib_idle": num(info.get("rss_kib_idle")),
        "rss_kib_peak": num(info.get("rss_kib_peak")),
        "server_exit": info.get("server_exit"),
        "server_log_lines_total": num(info.get("server_log_lines_total")),
        "ids_used": num(info.get("ids")),
        "scenarios": [s for s in (scenario_result(bdir, k) for k in "abcdef") if s],
    }
    if res["status"] == "ok" and any("rps" not in s for s in res.get("scenarios", [])):
        res["status"] = "failed"
    if "postgres_version" in info:
        res["postgres_version"] = info["postgres_version"]
    if res["status"] != "ok":
        # Where it stopped: the last lines of whatever it was doing.
        for f in ("generate.log", "server.out", "server.log", "user-create.log"):
            p = bdir / f
            if p.exists() and p.read_text(errors="replace").strip():
                res.setdefault("failure_context", {})[f] = p.read_text(errors="replace").splitlines()[-10:]
    hits = bdir / "search-hits.tsv"
    if hits.exists():
        res["search_hits"] = {}
        for line in hits.read_text(encoding="utf-8").splitlines():
            text, _, total = line.partition("\t")
            res["search_hits"][text] = num(total) if num(total) is not None else total
    return res


def fmt_ms(v):
    return f"{v:.2f}"


def fmt_rps(v):
    return f"{v:,.0f}" if v >= 100 else f"{v:,.1f}"


def fmt_bytes(n):
    if n is None:
        return "n/a"
    return f"{n / 2**20:,.1f} MiB"


def fmt_kib(n):
    if n is None:
        return "n/a"
    return f"{n / 1024:,.1f} MiB"


def check_targets(backends):
    targets = []
    for bname, b in backends.items():
        by_key = {s["key"]: s for s in b["scenarios"] if "rps" in s}
        for key in P99_SCENARIOS:
            s = by_key.get(key)
            t = {
                "backend": bname,
                "target": f"{key}: p99 under {P99_LIMIT_MS:g} ms",
                "scenario": key,
            }
            if s is None:
                t.update(result="not measured")
            else:
                p99 = s["latency_ms"]["p99"]
                t["measured"] = p99
                if p99 < P99_LIMIT_MS:
                    t.update(
                        result="met",
                        margin=f"{P99_LIMIT_MS - p99:.2f} ms under the limit",
                    )
                else:
                    t.update(
                        result="missed",
                        margin=f"{p99 - P99_LIMIT_MS:.2f} ms over the limit ({p99 / P99_LIMIT_MS:.1f}x)",
                    )
            targets.append(t)
        a, e = by_key.get("a"), by_key.get("e")
        t = {
            "backend": bname,
            "target": "e: throughput at least 1/3 of a (/health)",
            "scenario": "e",
        }
        if a is None or e is None or a["rps"] <= 0:
            t.update(result="not measured")
        else:
            need = a["rps"] * BY_ID_MIN_FRACTION_OF_HEALTH
            ratio = e["rps"] / a["rps"]
            t["measured"] = ratio
            t["required_rps"] = need
            if e["rps"] >= need:
                t.update(
                    result="met",
                    margin=f"{e['rps'] - need:,.0f} req/s above the {need:,.0f} req/s needed",
                )
            else:
                t.update(
                    result="missed",
                    margin=f"{need - e['rps']:,.0f} req/s short of the {need:,.0f} req/s needed"
                    f" ({e['rps'] / need:.2f}x of it)",
                )
        targets.append(t)
    return targets


def markdown(doc):
    m = doc["machine"]
    st = doc["settings"]
    out = []
    out.append(f"# Casekeep benchmark, {doc['timestamp']}")
    out.append("")
    paths = m.get("git_changed_paths") or []
    dirty = (
        f" plus uncommitted changes to {', '.join(paths[:5])}{' and more' if len(paths) > 5 else ''}"
        if m.get("git_dirty")
        else ""
    )
    out.append(
        f"Machine: {m.get('nproc')} cores ({m.get('cpu_model') or 'unknown CPU'}), "
        f"{m.get('memory_bytes', 0) / 2**30:.1f} GiB, Linux {m.get('kernel')}; "
        f"commit `{(m.get('git_commit') or 'unknown')[:12]}`{dirty}; {m.get('casekeep_version')}."
    )
    out.append(
        f"Load: {m.get('wrk_version', 'wrk').split(' [')[0]}, {st.get('connections')} connections, "
        f"{st.get('threads')} threads, {st.get('duration_s')} s measured per scenario after a "
        f"{st.get('warmup_s')} s warm-up, on the same machine as the server. "
        f"{int(st.get('cases', 0)):,} generated cases; database pool {st.get('pool_size')}."
    )
    out.append(f"Raw numbers: `{doc['json_file']}`.")
    for bname, b in doc["backends"].items():
        title = BACKEND_TITLES.get(bname, bname)
        if b.get("postgres_version"):
            title += f" {b['postgres_version']}"
        out.append("")
        out.append(f"## {title}")
        out.append("")
        if b["status"] != "ok":
            out.append(
                f"**This run failed or is incomplete** (exit status {b.get('exit_status')}, server: "
                f"{b.get('server_exit')}); see the JSON file."
            )
            out.append("")
        gen = b.get("generate_seconds")
        if gen:
            rate = int(st.get("cases", 0)) / gen if gen else 0
            wal = b.get("sqlite_wal_bytes_after_run")
            wal_text = f" (of which {fmt_bytes(wal)} write-ahead log)" if wal else ""
            out.append(
                f"Generating {int(st.get('cases', 0)):,} cases took {gen:,.1f} s ({rate:,.0f} cases/s). "
                f"Database on disk: {fmt_bytes(b.get('database_bytes_after_generate'))} after generating; "
                f"after the scenarios {fmt_bytes(b.get('database_bytes_after_run'))} with the server "
                f"running{wal_text}, {fmt_bytes(b.get('database_bytes_after_stop'))} once stopped. "
                f"Server memory: {fmt_kib(b.get('rss_kib_idle'))} idle, peak {fmt_kib(b.get('rss_kib_peak'))}. "
                f"The whole backend took {b.get('seconds_total') or 0:,.0f} s."
            )
            if b.get("settle_seconds") is not None:
                out.append(
                    f"Before the scenarios, `VACUUM (ANALYZE)` and `CHECKPOINT` (the work autovacuum "
                    f"would otherwise do during them) took {b['settle_seconds']:,.1f} s."
                )
            out.append("")
        rows = [s for s in b["scenarios"]]
        if rows:
            out.append("| | scenario | req/s | p50 ms | p99 ms | errors | RSS after | one request after a change, ms |")
            out.append("|---|---|---:|---:|---:|---:|---:|---:|")
            for s in rows:
                if "rps" not in s:
                    out.append(f"| {s['key']} | {s['name']} | not run: {s.get('skipped', '')} | | | | | |")
                    continue
                cold = s.get("after_change_ms")
                cold_text = fmt_ms(cold) if cold is not None else ""
                err = s["errors"]["total"]
                err_text = f"{err:,}" if err == 0 else f"**{err:,}** of {s['requests']:,}"
                out.append(
                    f"| {s['key']} | {s['name']} | {fmt_rps(s['rps'])} | {fmt_ms(s['latency_ms']['p50'])} | "
                    f"{fmt_ms(s['latency_ms']['p99'])} | {err_text} | {fmt_kib(s.get('rss_kib_after'))} | "
                    f"{cold_text} |"
                )
        errs = [s for s in rows if "rps" in s and s["errors"]["total"]]
        for s in errs:
            e = s["errors"]
            parts = [f"{k} {e[k]:,}" for k in ("connect", "read", "write", "timeout", "non_2xx") if e[k]]
            statuses = ", ".join(f"{k}: {v:,}" for k, v in sorted(s["statuses"].items()) if not k.startswith("2"))
            out.append("")
            out.append(
                f"Errors in {s['key']} ({s['name']}): {', '.join(parts)}"
                + (f"; statuses {statuses}" if statuses else "")
                + (f"; first: `{s['error_samples'][0][:200]}`" if s.get("error_samples") else "")
                + "."
            )
        logged = [s for s in rows if s.get("server_log_lines")]
        for s in logged:
            first = s.get("server_log_sample", [""])[0][:300]
            out.append("")
            out.append(
                f"Server log during {s['key']}: {s['server_log_lines']:,} lines at warn or above; first: `{first}`"
            )
    out.append("")
    out.append("## Targets")
    out.append("")
    out.append(
        f"On this {m.get('nproc')}-core machine: list and search (b, c, d) p99 under "
        f"{P99_LIMIT_MS:g} ms; one case by id (e) at no less than a third of /health's (a) throughput."
    )
    out.append("")
    out.append("| backend | target | measured | result |")
    out.append("|---|---|---:|---|")
    for t in doc["targets"]:
        title = BACKEND_TITLES.get(t["backend"], t["backend"])
        if t["result"] == "not measured":
            out.append(f"| {title} | {t['target']} | | not measured |")
            continue
        if t["scenario"] == "e":
            measured = f"{t['measured']:.3f}x of a"
        else:
            measured = f"{t['measured']:.2f} ms"
        result = f"**{t['result']}**" if t["result"] == "missed" else t["result"]
        out.append(f"| {title} | {t['target']} | {measured} | {result}: {t['margin']} |")
    met = sum(1 for t in doc["targets"] if t["result"] == "met")
    out.append("")
    out.append(f"{met} of {len(doc['targets'])} targets met.")
    out.append("")
    return "\n".join(out)


def render(args):
    raw = Path(args.raw)
    results = Path(args.results)
    results.mkdir(parents=True, exist_ok=True)
    settings = read_env(raw / "settings.env")
    machine_info = json.loads((raw / "machine.json").read_text())
    started = settings.get("started", "")
    stamp = re.sub(r"[-:]", "", started) or "unknown"
    backends = {}
    for name in settings.get("backends", "").split():
        if (raw / name).exists():
            backends[name] = backend_result(raw, name)
    json_file = results / f"{stamp}.json"
    doc = {
        "timestamp": started,
        "finished": settings.get("finished", ""),
        "json_file": f"bench/results/{json_file.name}",
        "machine": machine_info,
        "settings": {
            k: num(settings.get(k))
            for k in ("cases", "duration_s", "warmup_s", "connections", "threads", "ids", "pool_size")
        },
        "backends": backends,
    }
    doc["targets"] = check_targets(backends)
    json_file.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    md = markdown(doc)
    (results / "latest.md").write_text(md, encoding="utf-8")
    print(md)
    print(f"written: {json_file} and {results / 'latest.md'}", file=sys.stderr)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)
    m = sub.add_parser("machine", help="describe this machine and checkout as JSON")
    m.add_argument("--root", required=True)
    m.add_argument("--bin", required=True)
    m.add_argument("--out", required=True)
    r = sub.add_parser("render", help="write the JSON and markdown report from a raw directory")
    r.add_argument("--raw", required=True)
    r.add_argument("--results", required=True)
    args = p.parse_args()
    {"machine": machine, "render": render}[args.command](args)


if __name__ == "__main__":
    main()
