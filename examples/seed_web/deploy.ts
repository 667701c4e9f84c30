/**
 * The deploy pyinfra's documentation builds up, in TypeScript: system packages with
 * apt, an application user, the application cloned from git as that user, its Python
 * requirements installed in a venv, an nginx site from a template, linked into
 * sites-enabled, and nginx restarted only when the site changed.
 *
 *   tsinfra @docker/debian:12 deploy.ts        a container from an image, committed
 *   tsinfra @chroot/srv/trees/bookworm deploy.ts
 *   tsinfra inventory.ts deploy.ts             over SSH
 *
 * Run it twice: the second run changes nothing and does not restart nginx.
 *
 * There is no internet here, so the "remote" repository is a bare repository that
 * tasks/app_repository.ts creates on the target from ./app (a real deploy would point
 * git.repo at its forge). Host data: `siteListen`, what the site listens on (default 8080; Debian's
 * default site keeps port 80).
 */
import { apt, files, git, host, local, server } from "tsinfra";

const listen = (host.data.siteListen as string | number | undefined) ?? 8080;

apt.packages({
  name: "Install system dependencies",
  packages: ["python3", "python3-venv", "git", "nginx"],
  update: true,
  cacheTime: 3600,
  _sudo: true,
});

server.user({
  name: "Create app user",
  user: "myapp",
  system: true,
  home: "/opt/myapp",
  shell: "/bin/bash",
  _sudo: true,
});

await local.include("./tasks/app_repository.ts", { data: { repository: "/srv/git/myapp.git" } });

const clone = git.repo({
  name: "Clone application",
  src: "/srv/git/myapp.git",
  dest: "/opt/myapp/code",
  branch: "main",
  pull: true,
  // As the app user: git refuses to work in a repository another user owns.
  _sudo: true,
  _sudoUser: "myapp",
});

server.shell({
  name: "Install Python dependencies",
  commands: [
    "test -x /opt/myapp/venv/bin/pip || python3 -m venv /opt/myapp/venv",
    "cd /opt/myapp/code && /opt/myapp/venv/bin/pip install --no-index -q -r requirements.txt",
  ],
  _sudo: true,
  _sudoUser: "myapp",
  _if: clone.didChange,
});

const site = files.template({
  name: "Configure nginx",
  src: "./templates/nginx-site.conf.eta",
  dest: "/etc/nginx/sites-available/myapp",
  vars: { listen, root: "/opt/myapp/code/static" },
  mode: 644,
  _sudo: true,
});

files.link({
  name: "Enable nginx site",
  path: "/etc/nginx/sites-enabled/myapp",
  target: "/etc/nginx/sites-available/myapp",
  _sudo: true,
});

server.service({
  name: "Restart nginx",
  service: "nginx",
  running: true,
  restarted: true,
  _sudo: true,
  _if: site.didChange,
});
