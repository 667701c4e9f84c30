/**
 * Error classes and the CLI's exit statuses.
 *
 * @module
 */

/** Exit statuses of the `tsinfra` command. */
export const EXIT = {
  /** Every host succeeded. */
  SUCCESS: 0,
  /** At least one host failed. */
  HOST_FAILED: 1,
  /** Bad usage or bad input: nothing was run. */
  BAD_INPUT: 2,
  /**
   * A shard of a planned run could not finish for a reason of the controller or its
   * machine (a crash, an unwritable report folder): worth retrying.
   */
  INFRASTRUCTURE: 3,
  /** Interrupted by the user (Ctrl-C), or the approval prompt was declined. */
  INTERRUPTED: 130,
} as const;

/** Base class of every error tsinfra raises on purpose. */
export class TsinfraError extends Error {
  override name = "TsinfraError";
  /** The exit status the CLI uses for this error. */
  exitCode: number = EXIT.BAD_INPUT;
}

/** Bad input from the user: a wrong argument, unknown name, wrong type. Exit 2. */
export class ArgumentError extends TsinfraError {
  override name = "ArgumentError";
}

/** A host's data has a value its connector cannot use (`sshPort: "x"`). Exit 2. */
export class HostDataError extends ArgumentError {
  override name = "HostDataError";
}

/** An operation cannot do what it was asked, found while generating its commands. */
export class OperationError extends TsinfraError {
  override name = "OperationError";
  override exitCode: number = EXIT.HOST_FAILED;
}

/** Deploy, inventory, config or group-data code failed to load or threw. Exit 2. */
export class DeployError extends TsinfraError {
  override name = "DeployError";
}

/** A fact could not be read. */
export class FactError extends TsinfraError {
  override name = "FactError";
  override exitCode: number = EXIT.HOST_FAILED;
  /**
   * The host lacks a program the fact's command needs (sudo, the tool itself: exit
   * status 127), which an earlier operation of the deploy may install.
   */
  missingProgram = false;
}

/** Connecting to a host failed. */
export class ConnectError extends TsinfraError {
  override name = "ConnectError";
  override exitCode: number = EXIT.HOST_FAILED;
}

/** A command run on a host failed. */
export class CommandError extends TsinfraError {
  override name = "CommandError";
  override exitCode: number = EXIT.HOST_FAILED;
}

/** An operation's argument type is wrong, as pyinfra's `OperationTypeError`. */
export class OperationTypeError extends OperationError {
  override name = "OperationTypeError";
}

/** An operation's argument value is wrong, as pyinfra's `OperationValueError`. */
export class OperationValueError extends OperationError {
  override name = "OperationValueError";
}

/** A value outside what an operation accepts, where pyinfra raises Python's `ValueError`. */
export class ValueError extends OperationError {
  override name = "ValueError";
}

/** Reading an execution-time result during prepare. */
export class NotExecutedError extends TsinfraError {
  override name = "NotExecutedError";
}
