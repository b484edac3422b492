package io.quiesce.api.schema;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.collector.CustomResourceCollector;
import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.crdv2.generator.CustomResourceInfo;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import java.io.File;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Build-time only: generates the CRDs of the custom resource classes of one package, as fabric8's
 * crd-generator-maven-plugin does, but with the additional printer columns in the order the
 * {@code @AdditionalPrinterColumn} annotations of each class list them (the generator sorts them by
 * JSON path, which would put {@code Age} first). Run by exec-maven-plugin at {@code
 * process-classes}.
 *
 * <p>Arguments: the classes directory to scan, the package whose kinds become CRDs, the output
 * directory. A column that is not declared on its class (a field's {@code @PrinterColumn}) has no
 * declared place and fails the build.
 *
 * <p>The crd-generator is a {@code provided} dependency: nothing loads this class at run time.
 */
public final class GenerateCrds implements CRDPostProcessor {
  /** The declared column JSON paths of each generated CRD version, by "crdName/version". */
  private final Map<String, List<String>> declaredColumns;

  GenerateCrds(List<Class<? extends HasMetadata>> kinds) {
    declaredColumns =
        kinds.stream()
            .collect(
                Collectors.toMap(
                    kind -> key(CustomResourceInfo.fromClass(kind)),
                    kind ->
                        Arrays.stream(kind.getAnnotationsByType(AdditionalPrinterColumn.class))
                            .map(AdditionalPrinterColumn::jsonPath)
                            .toList()));
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      throw new IllegalArgumentException(
          "usage: GenerateCrds <classes dir> <package> <output dir>");
    }
    List<Class<? extends HasMetadata>> kinds =
        new CustomResourceCollector()
            .withParentClassLoader(GenerateCrds.class.getClassLoader())
            .withFileToScan(new File(args[0]))
            .withIncludePackages(List.of(args[1]))
            .findCustomResourceClasses();
    if (kinds.isEmpty()) {
      throw new IllegalStateException(
          "no custom resource classes in package " + args[1] + " under " + args[0]);
    }
    File output = new File(args[2]);
    Files.createDirectories(output.toPath());
    new CRDGenerator()
        .customResourceClasses(kinds)
        .withPostProcessor(new GenerateCrds(kinds))
        .inOutputDir(output)
        .generate();
  }

  @Override
  public HasMetadata process(HasMetadata generated, String crdSpecVersion) {
    CustomResourceDefinition crd = (CustomResourceDefinition) generated;
    for (CustomResourceDefinitionVersion version : crd.getSpec().getVersions()) {
      List<CustomResourceColumnDefinition> columns = version.getAdditionalPrinterColumns();
      if (columns == null || columns.isEmpty()) {
        continue;
      }
      String key = crd.getMetadata().getName() + "/" + version.getName();
      List<String> declared = declaredColumns.getOrDefault(key, List.of());
      for (CustomResourceColumnDefinition column : columns) {
        if (!declared.contains(column.getJsonPath())) {
          throw new IllegalStateException(
              "printer column "
                  + column.getName()
                  + " ("
                  + column.getJsonPath()
                  + ") of "
                  + key
                  + " is not declared with @AdditionalPrinterColumn on its class,"
                  + " so it has no declared place among the columns");
        }
      }
      List<CustomResourceColumnDefinition> ordered = new ArrayList<>(columns);
      ordered.sort(Comparator.comparingInt(column -> declared.indexOf(column.getJsonPath())));
      version.setAdditionalPrinterColumns(ordered);
    }
    return crd;
  }

  private static String key(CustomResourceInfo info) {
    return info.crdName() + "/" + info.version();
  }
}
