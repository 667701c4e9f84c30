/**
 * The benchmark workload with a fact awaited in deploy code between operations, as
 * pyinfra's documentation teaches (`if host.get_fact(...)`): the facts of the operations
 * registered before the await are read in the same round trip as the awaited one.
 */
import { files, host } from "tsinfra";
import { Os } from "tsinfra/facts/server";

const root = (host.data.benchRoot as string | undefined) ?? `/tmp/tsinfra-bench/${host.name}`;

files.directory({ path: `${root}/conf`, mode: 755 });
files.directory({ path: `${root}/data`, mode: 750 });
files.put({ src: "./files/payload.txt", dest: `${root}/data/payload.txt`, mode: 644 });
for (const n of [1, 2, 3, 4, 5]) {
  files.file({ path: `${root}/data/file-${n}`, mode: 640 });
}
const os = await host.getFact(Os);
files.line({ path: `${root}/conf/app.conf`, line: `enabled = true # ${os}` });
files.link({ path: `${root}/current`, target: `${root}/data` });
files.template({
  src: "./files/host.conf.eta",
  dest: `${root}/conf/host.conf`,
  vars: { name: host.name },
});
