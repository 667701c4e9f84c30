/**
 * Stands in for the application's forge: a bare repository on the target, owned by the
 * app user and filled from ./app of this example whenever that source changes.
 */
import { files, git, host, server } from "tsinfra";

const repository = host.data.repository as string;

const source = files.sync({
  name: "Upload application source",
  src: "../app",
  dest: "/srv/src/myapp",
  user: "myapp",
  group: "myapp",
  _sudo: true,
});

git.bareRepo({
  name: "Create the bare repository",
  path: repository,
  user: "myapp",
  group: "myapp",
  _sudo: true,
});

server.shell({
  name: "Publish the source to the bare repository",
  commands: [
    "cd /srv/src/myapp && { test -d .git || git init -q -b main; }",
    "cd /srv/src/myapp && git add -A && { git diff --cached --quiet || git -c user.name=tsinfra -c user.email=tsinfra@localhost commit -q -m 'Application source'; }",
    `cd /srv/src/myapp && git push -q ${repository} HEAD:main`,
  ],
  _sudo: true,
  _sudoUser: "myapp",
  _if: source.didChange,
});
