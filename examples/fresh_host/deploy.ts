/**
 * A first deploy to a fresh Debian host that has no sudo yet: as root, it installs
 * sudo, nginx and git, creates the app user, then clones the application as that user
 * through sudo, templates the nginx site and restarts nginx when the site changed.
 *
 * The operations that run through sudo read their facts through sudo too, which the
 * host lacks until apt has run: tsinfra decides them at run time, after the operations
 * before them (`--dry` says "decided at run time"). The second run changes nothing.
 *
 *   tsinfra @docker/CONTAINER deploy.ts      (or over SSH as root)
 *
 * The "forge" is a bare repository the deploy creates on the target from
 * ../seed_web/app (there is no internet here), as in the seed_web example.
 */
import { apt, files, git, local, server } from "tsinfra";

apt.packages({
  name: "Install sudo, nginx and git",
  packages: ["sudo", "nginx", "git"],
  update: true,
  cacheTime: 3600,
});

server.user({
  name: "Create app user",
  user: "myapp",
  system: true,
  home: "/opt/myapp",
  shell: "/bin/bash",
});

await local.include("../seed_web/tasks/app_repository.ts", {
  data: { repository: "/srv/git/myapp.git" },
});

git.repo({
  name: "Clone application",
  src: "/srv/git/myapp.git",
  dest: "/opt/myapp/code",
  branch: "main",
  pull: true,
  _sudo: true,
  _sudoUser: "myapp",
});

const site = files.template({
  name: "Configure nginx",
  src: "../seed_web/templates/nginx-site.conf.eta",
  dest: "/etc/nginx/sites-enabled/myapp",
  vars: { listen: 8080, root: "/opt/myapp/code/static" },
  mode: 644,
});

server.service({
  name: "Restart nginx",
  service: "nginx",
  running: true,
  restarted: true,
  _if: site.didChange,
});
