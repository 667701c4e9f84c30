/**
 * The demo deploy: harmless, it manages files under examples/demo/out/ of the
 * checkout. Run it twice; the second run reports no changes.
 *
 *   deno task demo        (or: npx -y deno@2.9.6 task demo)
 */
import { files, host, local, server } from "tsinfra";
import { Hostname } from "tsinfra/facts/server";

const root = `${import.meta.dirname}/out`;
const hostname = await host.getFact(Hostname);

files.directory({ path: `${root}/etc`, mode: 755 });
files.directory({ path: `${root}/srv/app` });

const config = files.put({ src: "./files/app.conf", dest: `${root}/etc/app.conf`, mode: 644 });

files.template({
  src: "./templates/motd.eta",
  dest: `${root}/etc/motd`,
  vars: { hostname, services: ["nginx", "postgres"], owner: host.data.owner },
});

files.file({ path: `${root}/etc/hosts.local`, mode: 644 });
files.line({ path: `${root}/etc/hosts.local`, line: `127.0.0.1 ${host.name}` });

files.link({ path: `${root}/srv/app/current.conf`, target: `${root}/etc/app.conf` });

await local.include("./tasks/extra.ts", { data: { greeting: "hello from include" } });

// Runs only when the config changed: on the first run, never on the second.
server.shell({
  commands: [`date > ${root}/srv/app/reloaded-at`],
  name: "Reload the app",
  _if: config.didChange,
});
