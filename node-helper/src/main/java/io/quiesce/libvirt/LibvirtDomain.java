package io.quiesce.libvirt;

import java.util.Objects;
import java.util.UUID;

/**
 * The libvirt domain a channel must reach, and how to know it is that one: its name, and the UUID
 * it must have when one is known. Under KubeVirt the name is {@code <namespace>_<vmi>} and, for a
 * VMI with {@code spec.domain.firmware.uuid} (every VM's instance has one: virt-controller sets
 * it), the domain's UUID is that firmware UUID: virt-launcher writes it as the domain's SMBIOS
 * system UUID and defines the domain with no {@code <uuid>}, and libvirt then takes the domain's
 * UUID from there.
 *
 * @param name the domain name; never blank, no control characters, at most {@link
 *     LibvirtAgent#MAX_DOMAIN_NAME}
 * @param uuid the UUID the domain must have; null when none is known (then the name alone is
 *     checked)
 */
public record LibvirtDomain(String name, UUID uuid) {

  public LibvirtDomain {
    Objects.requireNonNull(name, "name");
    if (name.isBlank()
        || name.length() > LibvirtAgent.MAX_DOMAIN_NAME
        || name.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException("invalid libvirt domain name '" + name + "'");
    }
  }

  /** A domain known by its name only. */
  public static LibvirtDomain named(String name) {
    return new LibvirtDomain(name, null);
  }

  /**
   * The domain KubeVirt makes for a VMI: {@code <namespace>_<vmi>}, with the VMI's firmware UUID
   * when it has one ({@code firmwareUuid} null or blank: none).
   *
   * @throws IllegalArgumentException when the firmware UUID is not a UUID
   */
  public static LibvirtDomain kubevirt(String namespace, String vmiName, String firmwareUuid) {
    return new LibvirtDomain(
        LibvirtAgent.kubevirtDomainName(namespace, vmiName),
        firmwareUuid == null || firmwareUuid.isBlank() ? null : UUID.fromString(firmwareUuid));
  }

  /** The name: what libvirt and the logs call the domain. */
  @Override
  public String toString() {
    return name;
  }
}
