package io.quiesce.libvirt;

/**
 * The daemon answered a call with an error; {@link LibvirtAgent} maps it to a typed agent failure.
 */
final class LibvirtCallException extends RuntimeException {

  private final transient LibvirtError error;

  LibvirtCallException(LibvirtError error) {
    super(error.toString(), null, false, false);
    this.error = error;
  }

  LibvirtError error() {
    return error;
  }
}
