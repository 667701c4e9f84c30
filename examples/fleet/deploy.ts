/**
 * The core operation set over SSH (tests/integration/fleet_deploy_test.ts runs it on the
 * sshd fleet as root and through sudo). Reuses the files of ../local_everything; every
 * path lives under host.data.root (default /srv/tsinfra-fleet). Run it twice: the
 * second run changes nothing.
 */
import { files, host, js, server } from "tsinfra";
import { Hostname } from "tsinfra/facts/server";

const root = (host.data.root as string | undefined) ?? "/srv/tsinfra-fleet";
const fetched = host.data.fetchDir as string | undefined;
const hostname = await host.getFact(Hostname);

files.directory({ path: `${root}/etc`, mode: 755 });
files.directory({ path: `${root}/var/data`, recursive: true });
files.file({ path: `${root}/etc/empty`, mode: 600 });
files.put({ src: "./../local_everything/files/app.conf", dest: `${root}/etc/app.conf`, mode: 644 });
const template = files.template({
  src: "./../local_everything/templates/site.conf.eta",
  dest: `${root}/etc/site.conf`,
  vars: { port: 8080, names: [hostname] },
});
files.link({ path: `${root}/etc/current.conf`, target: `${root}/etc/app.conf` });
files.line({ path: `${root}/etc/app.conf.local`, line: `host = ${host.name}` });
files.block({ path: `${root}/etc/app.conf.local`, content: "first = 1\nsecond = $2 `literal`" });
// A file whose content only files.replace manages after it was first written.
const created = files.file({ path: `${root}/etc/replace.conf` });
server.shell({
  commands: [`echo 'mode = initial' > ${root}/etc/replace.conf`],
  _if: created.didChange,
});
files.replace({ path: `${root}/etc/replace.conf`, text: "initial", replace: "final" });
files.sync({ src: "./../local_everything/sync_src", dest: `${root}/synced` });
if (fetched) {
  files.get({
    src: `${root}/etc/site.conf`,
    dest: `${fetched}/${host.name}.conf`,
    createLocalDir: true,
  });
}

const app = (host.data.appUser as string | undefined) ?? "tsinfra-app";
server.group({ group: app, system: true });
server.user({ user: app, group: app, home: `${root}/home/app`, shell: "/bin/sh", system: true });

const script = server.script({
  src: "./../local_everything/files/marker.sh",
  _if: template.didChange,
});
server.scriptTemplate({
  src: "./../local_everything/templates/marker.sh.eta",
  vars: { root },
  _if: template.didChange,
});
server.shell({ commands: [`id -un > ${root}/ran-as`], _if: script.didChange });
js.call({ function: () => {}, _if: template.didChange });
