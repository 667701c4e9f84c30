/**
 * Fixture cases that tsinfra does not run, each with its reason. Keys are
 * `<module>.<op-or-Fact>/<case>` as the folders name them. Every entry is printed by
 * `deno task fixtures`.
 *
 * @module
 */
export const FIXTURE_SKIPS: Readonly<Record<string, string>> = {
  "files.template/invalid_template_syntax":
    "the expected message is Jinja2's; tsinfra templates are Eta, whose syntax errors name the file and line in Eta's words (tests/operations/files_template_test.ts)",
  "files.directory/ignore_link_type":
    "drives pyinfra's private `_no_fail_on_link` switch; tsinfra keeps it internal to parent-folder creation (files.put, files.file, files.link), where the other cases cover it",
  "python.call/call_func":
    "passes the callback's arguments as Python *args/**kwargs; js.call takes { function, args, kwargs }, covered by tests/operations/js_test.ts",
  "python.raise_exception/call_func":
    "passes Python's exception class positionally; js.raiseException takes { exception, message }, covered by tests/operations/js_test.ts",
};
