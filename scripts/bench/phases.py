#!/usr/bin/env python3
# Phase timeline of `BIN packages --format json .` in the corpus folder (scripts/bench/corpus.sh
# into /tmp/f2corpus), from kernel tracepoints (perf record; needs perf and root), the
# binaries alternating: python3 scripts/bench/phases.py OLD NEW ROUNDS RUNS. Phases: exec to
# the first thread start (start-up, discovery until the parse starts), to the last helper
# thread exit (parse), to the first write to stdout, to exit_group. Medians per binary.
import subprocess, sys, re, statistics as st
bins = sys.argv[1:-2]; rounds=int(sys.argv[-2]); runs=int(sys.argv[-1])
acc = {b: {k: [] for k in ("startup+discovery","parse","after-parse","output+exit","total")} for b in bins}
for r in range(rounds):
    for b in bins:
        subprocess.run(["perf","record","-q","-o","/tmp/f2ph.data","-e","sched:sched_process_exec,syscalls:sys_enter_clone3,sched:sched_process_exit,syscalls:sys_enter_write,syscalls:sys_enter_exit_group","--","bash","-c",f"for i in $(seq {runs}); do {b} packages --format json . >/dev/null; done"],cwd="/tmp/f2corpus",stderr=subprocess.DEVNULL)
        out = subprocess.run(["perf","script","-i","/tmp/f2ph.data","-F","comm,pid,tid,time,event,trace"],capture_output=True,text=True).stdout
        cur=None
        for l in out.splitlines():
            m=re.match(r"\s*(\S+)\s+(\d+)/(\d+)\s+([\d.]+):\s+(\S+):\s*(.*)",l)
            if not m: continue
            comm,pid,tid,t,ev,tr=m.groups(); t=float(t)*1e3
            if ev.startswith("sched:sched_process_exec") and "lockgate" in tr:
                if cur and None not in cur.values():
                    a=acc[b]; a["startup+discovery"].append(cur["clone"]-cur["exec"]); a["parse"].append(cur["texit"]-cur["clone"]); a["after-parse"].append(cur["write"]-cur["texit"]); a["output+exit"].append(cur["end"]-cur["write"]); a["total"].append(cur["end"]-cur["exec"])
                cur={"pid":pid,"exec":t,"clone":None,"texit":None,"write":None,"end":None}; continue
            if cur is None or pid!=cur["pid"]: continue
            if ev.endswith("sys_enter_clone3") and cur["clone"] is None: cur["clone"]=t
            elif ev.endswith("sched_process_exit") and tid!=pid: cur["texit"]=t
            elif ev.endswith("sys_enter_write") and cur["write"] is None and "fd: 0x00000001" in tr: cur["write"]=t
            elif ev.endswith("sys_enter_exit_group"): cur["end"]=t
        if cur and None not in cur.values():
            a=acc[b]; a["startup+discovery"].append(cur["clone"]-cur["exec"]); a["parse"].append(cur["texit"]-cur["clone"]); a["after-parse"].append(cur["write"]-cur["texit"]); a["output+exit"].append(cur["end"]-cur["write"]); a["total"].append(cur["end"]-cur["exec"])
for b in bins:
    print(b.split("/")[-1], " ".join(f"{k} {st.median(v):.2f}" for k,v in acc[b].items()), f"(n={len(acc[b]['total'])}, min total {min(acc[b]['total']):.2f})")
