/**
 * Fixture cases that tsinfra does not run, each with its reason. Keys are
 * `<module>.<op-or-Fact>/<case>` as the folders name them. Every entry is printed by
 * `deno task fixtures`.
 *
 * @module
 */
const CRONTAB_IN_A_PIPE =
  "pyinfra edits the crontab through `crontab -l > /tmp/<name>`, sed and `crontab /tmp/<name>`, a world-readable temporary file left on the host with the whole crontab, where sed reads the command as a regular expression (issue 16); tsinfra edits it in one pipe, `crontab -l | awk ... | crontab -`, with the entry passed to awk as data: tests/operations/server_test.ts, tests/operations/hostile_text_test.ts and tests/integration/hostile_text_ssh_test.ts run it against a real cron";

export const FIXTURE_SKIPS: Readonly<Record<string, string>> = {
  "server.Users/mixed":
    "pyinfra's command prints each user with dash's echo, which reads backslashes: a comment holding \\c swallows the line break and merges the next user into it (the user then looks missing); tsinfra prints with printf '%s\\n' (tests/facts/server_test.ts)",
  "files.template/invalid_template_syntax":
    "tsinfra renders .j2 with nunjucks and gives Jinja2's message (`Error in template: /brokenfile.txt.j2 (L1): Encountered unknown tag 'forr'.`), but the lines quoted after it differ: pyinfra's test FakeFile.readlines() returns the text split on whitespace (`{%`, `forr`), where a real file gives its line; the harness reads the template through LocalFiles.readText only (tests/operations/files_jinja_test.ts)",
  "files.block/add_no_existing_block_line_provided_escape_regex":
    "pyinfra's awk program ends with `END {if (f==0) print ARGV[2] }` after emptying ARGV[2], so when no line matches it appends an empty line instead of the block (on every run); tsinfra prints the block (`print x`): tests/fixtures/operations/files.block/line_not_found_appends_block.json is this case with the fix",
  "python.call/call_func":
    "passes the callback's arguments as Python *args/**kwargs; js.call takes { function, args, kwargs }, covered by tests/operations/js_test.ts",
  "python.raise_exception/call_func":
    "passes Python's exception class positionally; js.raiseException takes { exception, message }, covered by tests/operations/js_test.ts",
  "apt.repo/remove":
    "apt.repo removes through files.line, which deletes the matching line (sed '/re/d') where pyinfra's leaves an empty line in its place (tests/operations/files_test.ts)",
  "bsdinit.service/disabled":
    "bsdinit.service disables through files.line, which deletes the matching line (sed '/re/d') where pyinfra's leaves an empty line in its place (tests/operations/files_test.ts)",
  "mysql.dump/dump":
    "pyinfra formats the command with str(), which puts the masked text `***` where the password belongs, so its mysqldump runs with the wrong password; tsinfra sends the password (masked only in output): tests/operations/databases_test.ts",
  "server.crontab/add_another": CRONTAB_IN_A_PIPE,
  "server.crontab/add_named": CRONTAB_IN_A_PIPE,
  "server.crontab/add_special_time": CRONTAB_IN_A_PIPE,
  "server.crontab/add_user": CRONTAB_IN_A_PIPE,
  "server.crontab/edit": CRONTAB_IN_A_PIPE,
  "server.crontab/edit_named": CRONTAB_IN_A_PIPE,
  "server.crontab/edit_special_time": CRONTAB_IN_A_PIPE,
  "server.crontab/remove": CRONTAB_IN_A_PIPE,
};
