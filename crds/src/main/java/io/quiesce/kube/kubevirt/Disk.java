package io.quiesce.kube.kubevirt;

import io.quiesce.kube.OpenObject;

/** A disk of the domain; its name is the name of the volume that backs it. */
public class Disk extends OpenObject {
  private String name;

  public Disk() {}

  public Disk(String name) {
    this.name = name;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }
}
