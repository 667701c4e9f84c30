/**
 * Eta templates (`files.template`, `renderTemplate`): variables, host and inventory,
 * includes, and error messages that name the template file and line.
 */
import { templateContext, withTemplates } from "./_templates.ts";
import { template } from "../../src/operations/files.ts";
import { renderTemplate } from "../../src/operations/util/template.ts";
import { sha1 } from "../../src/operations/util/files.ts";
import { DiskFiles } from "../../src/core/local_files.ts";
import { generateWith } from "./_context.ts";
import { assertEquals, assertRejects } from "../_assert.ts";

/** The message `renderTemplate` throws for `file`. */
function failure(dir: string, file: string, vars: Record<string, unknown> = {}): string {
  try {
    renderTemplate(templateContext(dir), file, vars);
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
  throw new Error(`${file} rendered`);
}

Deno.test("templates see vars, it.host and it.inventory, unescaped, with newlines as written", async () => {
  await withTemplates({
    "site.eta":
      "server <%= it.host.name %>:<%= it.host.data.port %> of <%= it.inventory.size %>\n" +
      "<% for (const u of it.upstreams) { %>up <%= u %>\n<% } %>" +
      '<%= "a < b & c" %>\n' +
      '<%= "optional" in it ? it.optional : "none" %>\n',
  }, (dir) => {
    const text = renderTemplate(templateContext(dir), "site.eta", { upstreams: ["a:1", "b:2"] });
    assertEquals(text, "server web1:8080 of 3\nup a:1\nup b:2\na < b & c\nnone\n");
    // vars win over the globals
    const own = renderTemplate(templateContext(dir), "site.eta", {
      upstreams: [],
      host: { name: "mine", data: { port: 1 } },
      optional: "given",
    });
    assertEquals(own, "server mine:1 of 3\na < b & c\ngiven\n");
  });
});

Deno.test("reading a variable that was not given fails with the file and line, as Jinja2's StrictUndefined", async () => {
  await withTemplates({ "t.eta": "one\ntwo <%= it.prot %>\nthree\n" }, (dir) => {
    assertEquals(
      failure(dir, "t.eta", { port: 80 }),
      `OperationError: Error in template: ${dir}/t.eta (L2): ReferenceError: it.prot is not defined\n` +
        "...\none\ntwo <%= it.prot %>\nthree\n...",
    );
  });
});

Deno.test("runtime errors name the template line", async () => {
  await withTemplates({
    "deep.eta": "a\nb\n<%= it.x.missing.deeper %>\n",
    "throws.eta": "<% if (it.fail) { %>\n<% throw new Error('boom') %>\n<% } %>\n",
  }, (dir) => {
    assertEquals(
      failure(dir, "deep.eta", { x: {} }).split("\n")[0],
      `OperationError: Error in template: ${dir}/deep.eta (L3): TypeError: Cannot read properties of undefined (reading 'deeper')`,
    );
    assertEquals(
      failure(dir, "throws.eta", { fail: true }).split("\n")[0],
      `OperationError: Error in template: ${dir}/throws.eta (L2): Error: boom`,
    );
    assertEquals(renderTemplate(templateContext(dir), "throws.eta", { fail: false }), "\n");
  });
});

Deno.test("syntax errors name the line where the template stops parsing", async () => {
  await withTemplates({
    "tag.eta": "a\nb\n<%= it.x \n",
    "call.eta": "one\ntwo\n<%= foo( %>\nfour\n",
    "unclosed.eta": "a\n<% if (it.a) { %>\nb\nc\n",
    "extra.eta": "x\n<%= it.x %>\n<% } %>\nz\n",
  }, (dir) => {
    const first = (file: string) => failure(dir, file).split("\n")[0];
    assertEquals(
      first("tag.eta"),
      `OperationError: Error in template: ${dir}/tag.eta (L3): unclosed tag`,
    );
    assertEquals(
      first("call.eta"),
      `OperationError: Error in template: ${dir}/call.eta (L3): SyntaxError: missing ) after argument list`,
    );
    assertEquals(
      first("unclosed.eta"),
      `OperationError: Error in template: ${dir}/unclosed.eta (L2): SyntaxError: the template ends inside a block (a \`{\` is not closed)`,
    );
    assertEquals(
      first("extra.eta"),
      `OperationError: Error in template: ${dir}/extra.eta (L3): SyntaxError: a \`}\` closes a block that is not open`,
    );
  });
});

Deno.test("include() reads a template relative to the including one; its errors name it", async () => {
  await withTemplates({
    "main.eta": "head\n<%~ include('./parts/body.eta', it) %>tail\n",
    "parts/body.eta": "body <%= it.name %>\n",
    "broken.eta": "x\n<%~ include('./parts/bad.eta', it) %>\n",
    "parts/bad.eta": "fine\nbad <%= it.nope %>\n",
    "missing.eta": "<%~ include('./nowhere.eta', it) %>\n",
  }, (dir) => {
    assertEquals(
      renderTemplate(templateContext(dir), "main.eta", { name: "n" }),
      "head\nbody n\ntail\n",
    );
    assertEquals(
      failure(dir, "broken.eta").split("\n")[0],
      `OperationError: Error in template: ${dir}/parts/bad.eta (L2): ReferenceError: it.nope is not defined`,
    );
    assertEquals(
      failure(dir, "missing.eta").split("\n")[0],
      `OperationError: Error in template: ${dir}/missing.eta (L1): IOError: No such file: ${dir}/nowhere.eta`,
    );
  });
});

Deno.test("files.template uploads the rendered text, then reports no change when the host has it", async () => {
  await withTemplates({ "motd.eta": "Welcome to <%= it.host.name %>\n" }, async (dir) => {
    const local = new DiskFiles(dir);
    const args = { src: "motd.eta", dest: "/etc/motd", mode: "644", user: "root" };
    const first = await generateWith(template, args, {
      local,
      hostName: "web1",
      facts: (name, factArgs) =>
        name === "files.Directory" && factArgs.path === "/etc" ? { mode: 755 } : null,
    });
    assertEquals(first.commands, [
      ["upload", "Welcome to web1\n", "/etc/motd"],
      "chown root /etc/motd",
      "chmod 644 /etc/motd",
    ]);
    const again = await generateWith(template, args, {
      local,
      hostName: "web1",
      facts: (name) =>
        name === "files.File"
          ? { user: "root", group: "root", mode: 644 }
          : name === "files.Sha1File"
          ? sha1("Welcome to web1\n")
          : { mode: 755 },
    });
    assertEquals([again.commands, again.noop], [[], "file /etc/motd is already uploaded"]);
    await assertRejects(
      () => generateWith(template, { src: "nope.eta", dest: "/x" }, { local }),
      new RegExp(`^No such file: ${dir}/nope\\.eta$`),
    );
  });
});
