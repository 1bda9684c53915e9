/** A projection that cannot run on the input it was given; the API reports it as the user's error. */
export class ProjectionError extends Error {
  override name = 'ProjectionError';
}
