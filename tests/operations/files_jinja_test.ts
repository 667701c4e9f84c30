/**
 * Jinja2 templates (`.j2`, `.jinja`, `.jinja2`) rendered with nunjucks as pyinfra renders
 * them: real runs through the CLI on @local, and the error messages in pyinfra's form.
 */
import { templateContext, withTemplates } from "./_templates.ts";
import * as path from "node:path";
import { renderTemplate } from "../../src/operations/util/template.ts";
import { tsinfraIn } from "../_cli.ts";
import { assertEquals, assertStringIncludes } from "../_assert.ts";

/** The error `renderTemplate` throws for `file`. */
function failure(dir: string, file: string, vars: Record<string, unknown> = {}) {
  try {
    renderTemplate(templateContext(dir), file, vars);
  } catch (error) {
    return error as Error & { exitCode: number };
  }
  throw new Error(`${file} rendered`);
}

const SITE = [
  "# {{ host.name }}",
  "{% for u in upstreams -%}",
  "server {{ u | upper }};",
  "{% endfor -%}",
  'names: {{ upstreams | join(", ") }}',
  "{%- if debug is defined %} debug{% endif %}",
  '{% include "part.j2" %}',
  "",
].join("\n");

Deno.test("files.template renders a .j2 file with loops, filters, includes and whitespace control, once", async () => {
  await withTemplates({
    "templates/site.conf.j2": SITE,
    "templates/part.j2": "listen {{ port }}; # {{ upstreams | length }} upstreams\n",
  }, async (dir) => {
    const out = path.join(dir, "out", "site.conf");
    await Deno.writeTextFile(
      path.join(dir, "deploy.ts"),
      `import { files } from "tsinfra";\n` +
        `files.template({ src: "./templates/site.conf.j2", dest: ${JSON.stringify(out)}, ` +
        `vars: { upstreams: ["a:1", "b:2"], port: 80 } });\n`,
    );
    const first = await tsinfraIn(dir, "@local", "deploy.ts", "-y");
    assertEquals(first.code, 0, first.stdout + first.stderr);
    assertEquals(
      await Deno.readTextFile(out),
      "# @local\nserver A:1;\nserver B:2;\nnames: a:1, b:2\nlisten 80; # 2 upstreams\n\n",
    );
    const second = await tsinfraIn(dir, "@local", "deploy.ts", "-y");
    assertEquals(second.code, 0, second.stdout + second.stderr);
    assertStringIncludes(second.stdout, "No changes");
  });
});

Deno.test("server.scriptTemplate runs a rendered .jinja2 script", async () => {
  await withTemplates({
    "hello.sh.jinja2": "#!/bin/sh\n{% for n in names %}echo hi {{ n }} >> {{ out }}\n{% endfor %}",
  }, async (dir) => {
    const out = path.join(dir, "said");
    await Deno.writeTextFile(
      path.join(dir, "deploy.ts"),
      `import { server } from "tsinfra";\n` +
        `server.scriptTemplate({ src: "./hello.sh.jinja2", ` +
        `vars: { names: ["ann", "bo"], out: ${JSON.stringify(out)} } });\n`,
    );
    const result = await tsinfraIn(dir, "@local", "deploy.ts", "-y");
    assertEquals(result.code, 0, result.stdout + result.stderr);
    assertEquals(await Deno.readTextFile(out), "hi ann\nhi bo\n");
  });
});

Deno.test("a .j2 undefined variable fails the run with exit 1, naming the file, line and name", async () => {
  await withTemplates({ "motd.j2": "hello {{ host.name }}\nport {{ port }}\n" }, async (dir) => {
    const out = path.join(dir, "motd");
    await Deno.writeTextFile(
      path.join(dir, "deploy.ts"),
      `import { files } from "tsinfra";\n` +
        `files.template({ src: "./motd.j2", dest: ${JSON.stringify(out)} });\n`,
    );
    const result = await tsinfraIn(dir, "@local", "deploy.ts", "-y");
    assertEquals(result.code, 1, result.stdout + result.stderr);
    assertStringIncludes(
      result.stdout + result.stderr,
      `Error in template: ${path.join(dir, "motd.j2")} (L2): 'port' is undefined`,
    );
    assertEquals(await exists(out), false);
  });
});

Deno.test("a .j2 syntax error is bad input: exit 2 and nothing runs", async () => {
  await withTemplates({ "bad.j2": "ok\n{% forr x in y %}{% endfor %}\n" }, async (dir) => {
    const marker = path.join(dir, "ran");
    const out = path.join(dir, "bad");
    await Deno.writeTextFile(
      path.join(dir, "deploy.ts"),
      `import { files, server } from "tsinfra";\n` +
        `server.shell({ commands: ["touch ${marker}"] });\n` +
        `files.template({ src: "./bad.j2", dest: ${JSON.stringify(out)} });\n`,
    );
    const result = await tsinfraIn(dir, "@local", "deploy.ts", "-y");
    assertEquals(result.code, 2, result.stdout + result.stderr);
    assertStringIncludes(
      result.stdout + result.stderr,
      `Error in template: ${path.join(dir, "bad.j2")} (L2): Encountered unknown tag 'forr'.`,
    );
    assertEquals(await exists(marker), false, "an operation ran before the bad template");
    assertEquals(await exists(out), false);
  });
});

Deno.test("renderTemplate chooses Jinja2 for .j2, .jinja and .jinja2 and Eta for the rest", async () => {
  await withTemplates({
    "a.j2": "{{ host.name }}",
    "a.jinja": "{{ host.name }}",
    "a.JINJA2": "{{ host.name }}",
    "a.eta": "<%= it.host.name %>{{ x }}",
    "a.conf": "<%= it.host.name %>",
  }, (dir) => {
    for (const file of ["a.j2", "a.jinja", "a.JINJA2"]) {
      assertEquals(renderTemplate(templateContext(dir), file), "web1");
    }
    assertEquals(renderTemplate(templateContext(dir), "a.eta"), "web1{{ x }}");
    assertEquals(renderTemplate(templateContext(dir), "a.conf"), "web1");
  });
});

Deno.test("Jinja2 templates keep the trailing newline and see host, inventory and vars by name", async () => {
  await withTemplates({
    "t.j2": "{{ host.name }}:{{ host.data.port }} of {{ inventory.size }} {{ a }} {{ '<&>' }}\n\n",
  }, (dir) => {
    assertEquals(
      renderTemplate(templateContext(dir), "t.j2", { a: 1 }),
      "web1:8080 of 3 1 <&>\n\n",
    );
    // vars win over the globals
    assertEquals(
      renderTemplate(templateContext(dir), "t.j2", {
        a: 2,
        host: { name: "h", data: { port: 1 } },
      }),
      "h:1 of 3 2 <&>\n\n",
    );
  });
});

Deno.test("Jinja2's defined tests, default filter and Python names work on missing values", async () => {
  await withTemplates({
    "t.j2": "{% if x is defined %}x{% else %}no x{% endif %}|{{ y | default('dy') }}|" +
      "{{ host.data.nope | d(7) }}|{% if host.nope is undefined %}u{% endif %}|" +
      "{% for k, v in m.items() %}{{ k }}={{ v }},{% endfor %}|{{ m.get('z', 'gz') }}|" +
      "{% if True and not False %}T{% endif %}",
  }, (dir) => {
    assertEquals(
      renderTemplate(templateContext(dir), "t.j2", { m: { a: 1, b: 2 } }),
      "no x|dy|7|u|a=1,b=2,|gz|T",
    );
  });
});

Deno.test("Jinja2 errors read as pyinfra's, naming the innermost file and its line", async () => {
  await withTemplates({
    "undef.j2": "a\n{{ missing }}\nc\n",
    "attr.j2": "{{ host.nope }}",
    "outer.j2": "x\n{% include 'inner.j2' %}\n",
    "inner.j2": "one\ntwo {{ gone }}\n",
    "broken_inner.j2": "{% include './sub/broken.j2' %}",
    "sub/broken.j2": "{% if x %}\nopen\n",
    "loop.j2": "{% for x in nothing %}{% endfor %}",
  }, (dir) => {
    const undef = failure(dir, "undef.j2");
    assertEquals(undef.name, "OperationError");
    assertEquals(
      undef.message,
      `Error in template: ${dir}/undef.j2 (L2): 'missing' is undefined\n...\na\n{{ missing }}\nc\n...`,
    );
    assertEquals(undef.exitCode, 1);
    assertStringIncludes(
      failure(dir, "attr.j2").message,
      `attr.j2 (L1): 'dict object' has no attribute 'nope'`,
    );
    assertStringIncludes(failure(dir, "outer.j2").message, `inner.j2 (L2): 'gone' is undefined`);
    assertStringIncludes(failure(dir, "loop.j2").message, `(L1): 'nothing' is undefined`);
    const broken = failure(dir, "broken_inner.j2");
    assertStringIncludes(
      broken.message,
      `Error in template: ${dir}/sub/broken.j2 (L2): Unexpected end of template.`,
    );
    assertEquals(broken.exitCode, 2);
  });
});

async function exists(file: string): Promise<boolean> {
  try {
    await Deno.stat(file);
    return true;
  } catch {
    return false;
  }
}
