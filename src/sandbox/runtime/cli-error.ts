// One error type for everything the shim reports: the text goes to stderr as-is, with docker's exit code.

export class DockerCliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    /** What docker still prints on stdout before failing (`docker inspect` prints `[]`). */
    readonly stdout = "",
  ) {
    super(message);
  }
}

/** docker run/create wrap daemon and usage errors like this (docker/cli withHelp). */
export function withHelp(command: string, message: string, exitCode = 125): DockerCliError {
  return new DockerCliError(`docker: ${message}\n\nRun 'docker ${command} --help' for more information`, exitCode);
}

export function usageError(command: string, message: string): DockerCliError {
  return new DockerCliError(`${message}\n\nRun 'docker ${command} --help' for more information`, 125);
}

export function noSuchContainer(name: string): string {
  return `Error response from daemon: No such container: ${name}`;
}
