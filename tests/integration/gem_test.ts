/**
 * gem.packages for real with Debian's ruby: rubygems.org is not reachable from here, so
 * the deploy builds a small gem on the target and `gem install NAME` finds its `.gem` in
 * the working folder (`_chdir`, a folder that exists when the facts are read), as gem
 * does offline. The second run changes nothing.
 */
import * as path from "node:path";
import { dockerTest } from "../../scripts/fleet/fleet.ts";
import { assertEquals, assertMatch } from "../_assert.ts";
import { run, tsinfraIn } from "../_cli.ts";

const GEMSPEC = `Gem::Specification.new do |s|
  s.name = "tsinfra_hello"
  s.version = "1.0.0"
  s.summary = "A gem built by a tsinfra test"
  s.authors = ["tsinfra"]
  s.files = ["lib/tsinfra_hello.rb"]
end
`;

const DEPLOY = `import { anyChanged, apt, files, gem, server } from "tsinfra";
apt.packages({ packages: ["ruby"], update: true, cacheTime: 3600 });
const spec = files.put({ src: "./hello.gemspec", dest: "/srv/gems/src/hello.gemspec" });
const lib = files.put({ src: "./tsinfra_hello.rb", dest: "/srv/gems/src/lib/tsinfra_hello.rb" });
server.shell({
  commands: ["cd /srv/gems/src && gem build hello.gemspec && mv tsinfra_hello-1.0.0.gem /tmp/"],
  _if: anyChanged(spec, lib),
});
gem.packages({ packages: ["tsinfra_hello"], _chdir: "/tmp" });
`;

await dockerTest(
  "gem.packages installs a gem built on the target, then changes nothing",
  async () => {
    const id = (await run("docker", ["run", "-d", "tsinfra-fleet:bookworm", "sleep", "infinity"]))
      .stdout.trim();
    const dir = await Deno.makeTempDir({ prefix: "tsinfra-gem-" });
    try {
      await Deno.writeTextFile(path.join(dir, "deploy.ts"), DEPLOY);
      await Deno.writeTextFile(path.join(dir, "hello.gemspec"), GEMSPEC);
      await Deno.writeTextFile(path.join(dir, "tsinfra_hello.rb"), "module TsinfraHello; end\n");
      const first = await tsinfraIn(dir, `@docker/${id}`, "deploy.ts", "-y", "--json");
      assertEquals(first.code, 0, first.stdout + first.stderr);
      const second = await tsinfraIn(dir, `@docker/${id}`, "deploy.ts", "-y", "--json");
      assertEquals(second.code, 0, second.stderr);
      assertEquals(JSON.parse(second.stdout).totals.changed, 0, second.stdout);
      const listed = await run("docker", ["exec", id, "gem", "list", "--local", "tsinfra_hello"]);
      assertMatch(listed.stdout, /^tsinfra_hello \(1\.0\.0\)$/m);
    } finally {
      await run("docker", ["rm", "-f", id]);
      await Deno.remove(dir, { recursive: true });
    }
  },
);
