/** Included by ../deploy.ts with data: shows local.include and host.data layering. */
import { files, host } from "tsinfra";

const root = `${import.meta.dirname}/../out`;

files.file({ path: `${root}/srv/app/README`, present: true });
files.block({
  path: `${root}/srv/app/README`,
  content: `${host.data.greeting}\nowner: ${host.data.owner}`,
});
