/**
 * Fixture cases that tsinfra does not run, each with its reason. Keys are
 * `<module>.<op-or-Fact>/<case>` as the folders name them. Every entry is printed by
 * `deno task fixtures`.
 *
 * @module
 */
export const FIXTURE_SKIPS: Readonly<Record<string, string>> = {
  "server.Users/mixed":
    "pyinfra's command prints each user with dash's echo, which reads backslashes: a comment holding \\c swallows the line break and merges the next user into it (the user then looks missing); tsinfra prints with printf '%s\\n' (tests/facts/server_test.ts)",
  "files.block/add_no_existing_block_line_provided_escape_regex":
    "pyinfra's awk program ends with `END {if (f==0) print ARGV[2] }` after emptying ARGV[2], so when no line matches it appends an empty line instead of the block (on every run); tsinfra prints the block (`print x`): tests/fixtures/operations/files.block/line_not_found_appends_block.json is this case with the fix",
  "apt.repo/remove":
    "apt.repo removes through files.line, which deletes the matching line (sed '/re/d'); this fixture predates pyinfra's own fix (pyinfra-dev/pyinfra#1378, merged 2025-06-23 for issue #1376: `sed_delete`, the same '/re/d' script with I for an i flag, updated this fixture to it); the copy here still pins the empty line (s/re//) the issue reported as a bug (tests/operations/files_test.ts)",
  "bsdinit.service/disabled":
    "bsdinit.service disables through files.line, which deletes the matching line (sed '/re/d'); this fixture predates pyinfra's own fix (pyinfra-dev/pyinfra#1378, merged 2025-06-23 for issue #1376: `sed_delete`, the same '/re/d' script with I for an i flag, updated this fixture to it); the copy here still pins the empty line (s/re//) the issue reported as a bug (tests/operations/files_test.ts)",
  "mysql.dump/dump":
    "pyinfra formats the command with str(), which puts the masked text `***` where the password belongs, so its mysqldump runs with the wrong password; tsinfra sends the password (masked only in output): tests/operations/databases_test.ts",
};
