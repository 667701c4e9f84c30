/**
 * Every operation of tsinfra's first issue against @local, idempotent as a whole:
 * run it twice and the second run reports no changes. Used by
 * tests/integration/local_deploy_test.ts; all paths live under host.data.root, a
 * temporary folder.
 *
 *   tsinfra @local examples/local_everything/deploy.ts --data root=/tmp/x --data
 *     url=http://127.0.0.1:PORT/file.txt --data user=tsinfra-demo -y
 */
import { files, host, js, server } from "tsinfra";
import { Users } from "tsinfra/facts/server";

const root = host.data.root as string;
const user = host.data.user as string;

files.directory({ path: `${root}/etc`, mode: 755 });
files.directory({ path: `${root}/var/data`, recursive: true });
files.file({ path: `${root}/etc/empty`, mode: 600 });
files.put({ src: "./files/app.conf", dest: `${root}/etc/app.conf`, mode: 644 });
const template = files.template({
  src: "./templates/site.conf.eta",
  dest: `${root}/etc/site.conf`,
  vars: { port: 8080, names: ["a", "b"] },
});
files.link({ path: `${root}/etc/current.conf`, target: `${root}/etc/app.conf` });
files.line({ path: `${root}/etc/app.conf.local`, line: "mode = local" });
files.block({ path: `${root}/etc/app.conf.local`, content: "first = 1\nsecond = 2" });
files.sync({ src: "./sync_src", dest: `${root}/synced` });
files.get({ src: `${root}/etc/app.conf`, dest: `${root}/fetched/app.conf` });
files.download({ src: host.data.url as string, dest: `${root}/downloaded.txt` });
files.replace({ path: `${root}/downloaded.txt`, text: "payload", replace: "content" });

server.group({ group: user, system: true });
server.user({
  user,
  group: user,
  home: `${root}/home/${user}`,
  shell: "/bin/sh",
  system: true,
  createHome: true,
});
const users = await host.getFact(Users);

const script = server.script({ src: "./files/marker.sh", _if: template.didChange });
server.scriptTemplate({
  src: "./templates/marker.sh.eta",
  vars: { root },
  _if: template.didChange,
});
server.shell({
  commands: [`echo home=$(getent passwd ${user} | cut -d: -f6) > ${root}/shell.out`],
  name: users[user] ? "Report the user's home (exists)" : "Report the user's home",
  _if: script.didChange,
});
server.wait({ port: host.data.port as number, _if: script.didChange });
js.call({
  function: (message: string) => Deno.writeTextFileSync(`${root}/js.out`, message),
  args: ["called"],
  _if: template.didChange,
});
js.raiseException({
  exception: Error,
  message: "raised on purpose",
  _if: template.didChange,
  _ignoreErrors: true,
});
