/**
 * The benchmark workload (deno task bench): about ten operations, each host working in
 * its own folder (host data `benchRoot`, default /tmp/tsinfra-bench/<host>).
 */
import { files, host } from "tsinfra";

const root = (host.data.benchRoot as string | undefined) ?? `/tmp/tsinfra-bench/${host.name}`;

files.directory({ path: `${root}/conf`, mode: 755 });
files.directory({ path: `${root}/data`, mode: 750 });
files.put({ src: "./files/payload.txt", dest: `${root}/data/payload.txt`, mode: 644 });
for (const n of [1, 2, 3, 4, 5]) {
  files.file({ path: `${root}/data/file-${n}`, mode: 640 });
}
files.line({ path: `${root}/conf/app.conf`, line: "enabled = true" });
files.link({ path: `${root}/current`, target: `${root}/data` });
files.template({
  src: "./files/host.conf.eta",
  dest: `${root}/conf/host.conf`,
  vars: { name: host.name },
});
