# The benchmark workload for pyinfra v3 (scripts/bench/fleet.ts runs it when `pyinfra` is
# on PATH): the same operations as ../deploy.ts, each host in its own folder (host data
# bench_root).
from pyinfra import host
from pyinfra.operations import files

root = host.data.get("bench_root") or f"/tmp/tsinfra-bench/{host.name}"

files.directory(path=f"{root}/conf", mode="755")
files.directory(path=f"{root}/data", mode="750")
files.put(src="../files/payload.txt", dest=f"{root}/data/payload.txt", mode="644")
for n in (1, 2, 3, 4, 5):
    files.file(path=f"{root}/data/file-{n}", mode="640")
files.line(path=f"{root}/conf/app.conf", line="enabled = true")
files.link(path=f"{root}/current", target=f"{root}/data")
files.template(src="host.conf.j2", dest=f"{root}/conf/host.conf", name=host.name)
