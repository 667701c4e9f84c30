/**
 * Where tsinfra's catalogue knowingly differs from pyinfra's, each with its reason.
 * Keys are what `deno task api-diff` prints as a difference's key: `operation X`,
 * `argument X.y`, `default X.y`, `fact X`, `fact-argument X.y`.
 *
 * @module
 */
export const API_EXCEPTIONS: Readonly<Record<string, string>> = {
  "argument js.call.function":
    "js.call takes { function, args, kwargs }; pyinfra's positional Python callable",
};
