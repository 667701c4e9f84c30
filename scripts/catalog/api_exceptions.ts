/**
 * Where tsinfra's catalogue knowingly differs from pyinfra's, each with its reason.
 * Keys are what `deno task api-diff` prints as a difference's key: `operation X`,
 * `argument X.y`, `default X.y`, `fact X`, `fact-argument X.y`.
 *
 * @module
 */
const BASE =
  "an abstract base class pyinfra's facts inherit from, not a fact a deploy can read; tsinfra shares that code through plain functions";
const DICT =
  "a Python TypedDict describing another fact's value; in tsinfra that value has a TypeScript interface instead";

export const API_EXCEPTIONS: Readonly<Record<string, string>> = {
  "fact docker.DockerFactBase": BASE,
  "fact docker.DockerSingleMixin": BASE,
  "fact files.FindFilesBase": BASE,
  "fact files.HashFileFactBase": BASE,
  "fact gpg.GpgFactBase": BASE,
  "fact mysql.MysqlFactBase": BASE,
  "fact postgres.PostgresFactBase": BASE,
  "fact snap.SnapBaseFact": BASE,
  "fact files.FileDict": DICT,
  "fact server.CrontabDict": DICT,
  "fact server.LinuxDistributionDict": DICT,
  "fact server.MountsDict": DICT,
  "fact server.SelinuxDict": DICT,
  "argument js.call.function":
    "js.call takes { function, args, kwargs }; pyinfra's positional Python callable",
};
