/**
 * A typical web + database server, as a pyinfra user would write it: apt packages, a
 * system user, a venv with pip requirements, a PostgreSQL role and database, a systemd
 * unit from a template, a cron job and iptables rules. Idempotent: run it twice and the
 * second run changes nothing.
 *
 *   tsinfra inventory.ts deploy.ts
 *
 * The target needs systemd running (a server, a VM, or a container whose PID 1 is
 * systemd) and, for the firewall, the right to change iptables. Host data: `appPort`
 * (default 8000), `dbPassword` (default: none, peer authentication only).
 */
import { apt, files, host, iptables, pip, postgres, server, systemd } from "tsinfra";

const appPort = (host.data.appPort as number | undefined) ?? 8000;
const home = "/srv/webapp";

apt.packages({
  name: "Install the server's packages",
  packages: ["postgresql", "python3-venv", "cron", "iptables"],
  update: true,
  cacheTime: 3600,
  _sudo: true,
});

server.user({
  name: "Create the application user",
  user: "webapp",
  system: true,
  home,
  shell: "/usr/sbin/nologin",
  _sudo: true,
});

files.directory({
  name: "Create the static folder",
  path: `${home}/static`,
  user: "webapp",
  group: "webapp",
  _sudo: true,
});

files.put({
  name: "Upload the home page",
  src: "./files/index.html",
  dest: `${home}/static/index.html`,
  user: "webapp",
  group: "webapp",
  mode: 644,
  _sudo: true,
});

pip.venv({
  name: "Create the virtualenv",
  path: `${home}/venv`,
  python: "python3",
  _sudo: true,
  _sudoUser: "webapp",
});

const requirements = files.put({
  name: "Upload the requirements",
  src: "./files/requirements.txt",
  dest: `${home}/requirements.txt`,
  user: "webapp",
  group: "webapp",
  _sudo: true,
});

pip.packages({
  name: "Install the requirements",
  requirements: `${home}/requirements.txt`,
  virtualenv: `${home}/venv`,
  extraInstallArgs: "--no-index",
  _sudo: true,
  _sudoUser: "webapp",
  _if: requirements.didChange,
});

postgres.role({
  name: "Create the database role",
  role: "webapp",
  login: true,
  password: host.data.dbPassword as string | undefined,
  _sudo: true,
  _sudoUser: "postgres",
});

postgres.database({
  name: "Create the database",
  database: "webapp",
  owner: "webapp",
  encoding: "UTF8",
  _sudo: true,
  _sudoUser: "postgres",
});

const unit = files.template({
  name: "Install the systemd unit",
  src: "./templates/webapp.service.eta",
  dest: "/etc/systemd/system/webapp.service",
  vars: { home, port: appPort },
  mode: 644,
  _sudo: true,
});

systemd.daemonReload({ name: "Reload systemd", _sudo: true, _if: unit.didChange });

systemd.service({
  name: "Run the application",
  service: "webapp.service",
  running: true,
  enabled: true,
  _sudo: true,
});

systemd.service({
  name: "Restart the application after a unit change",
  service: "webapp.service",
  restarted: true,
  _sudo: true,
  _if: unit.didChange,
});

server.crontab({
  name: "Vacuum the database nightly",
  command: "vacuumdb --quiet webapp",
  cronName: "webapp-vacuum",
  user: "postgres",
  hour: 3,
  minute: 15,
  _sudo: true,
});

iptables.chain({ name: "Create the application chain", chain: "WEBAPP", _sudo: true });

iptables.rule({
  name: "Accept the application port",
  chain: "WEBAPP",
  jump: "ACCEPT",
  protocol: "tcp",
  destinationPort: appPort,
  _sudo: true,
});

iptables.rule({
  name: "Send incoming traffic through the application chain",
  chain: "INPUT",
  jump: "WEBAPP",
  _sudo: true,
});
