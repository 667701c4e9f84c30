/** tsinfra's version, printed by `tsinfra --version`. */
export const VERSION = "0.1.0";
