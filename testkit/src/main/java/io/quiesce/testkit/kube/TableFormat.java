package io.quiesce.testkit.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/**
 * The {@code meta.k8s.io/v1} Table format that {@code kubectl get} asks for: a Name column, then a
 * CRD version's {@code additionalPrinterColumns} (or Age for built-in kinds), each row carrying the
 * object's metadata ({@code PartialObjectMetadata}) or, with {@code includeObject=Object}, the
 * object. Date columns are rendered as kube-apiserver renders them: the age, e.g. {@code 5m12s}.
 */
final class TableFormat {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private final Clock clock;

  TableFormat(Clock clock) {
    this.clock = clock;
  }

  /** Whether an {@code Accept} header asks for a Table. */
  static boolean wanted(String accept) {
    if (accept == null) {
      return false;
    }
    for (String type : accept.split(",")) {
      List<String> params = List.of(type.replace(" ", "").split(";"));
      if (params.contains("as=Table") && params.contains("g=meta.k8s.io")) {
        return true;
      }
    }
    return false;
  }

  /** A list (with {@code items}) or a single object as a Table. */
  ObjectNode table(ApiResource resource, JsonNode listOrObject, boolean includeObject) {
    ObjectNode table = JSON.objectNode().put("kind", "Table").put("apiVersion", "meta.k8s.io/v1");
    ObjectNode metadata = table.putObject("metadata");
    if (listOrObject.has("items")) {
      JsonNode listMeta = listOrObject.path("metadata");
      for (String field : List.of("resourceVersion", "continue", "remainingItemCount")) {
        if (listMeta.has(field)) {
          metadata.set(field, listMeta.get(field));
        }
      }
    } else {
      metadata.put(
          "resourceVersion", listOrObject.path("metadata").path("resourceVersion").asText());
    }
    ArrayNode columns = table.putArray("columnDefinitions");
    column(columns, "Name", "string", "name", 0, "Name must be unique within a namespace.");
    JsonNode printerColumns = printerColumns(resource);
    printerColumns.forEach(
        c ->
            column(
                columns,
                c.path("name").asText(),
                c.path("type").asText("string"),
                c.path("format").asText(""),
                c.path("priority").asInt(0),
                c.path("description").asText("")));
    ArrayNode rows = table.putArray("rows");
    if (listOrObject.has("items")) {
      listOrObject
          .path("items")
          .forEach(item -> rows.add(row(resource, item, printerColumns, includeObject)));
    } else {
      rows.add(row(resource, listOrObject, printerColumns, includeObject));
    }
    return table;
  }

  private static JsonNode printerColumns(ApiResource resource) {
    if (!resource.printerColumns().isEmpty()) {
      return resource.printerColumns();
    }
    ArrayNode age = JSON.arrayNode();
    age.addObject()
        .put("name", "Age")
        .put("type", "date")
        .put("jsonPath", ".metadata.creationTimestamp");
    return age;
  }

  private ObjectNode row(
      ApiResource resource, JsonNode object, JsonNode printerColumns, boolean includeObject) {
    ObjectNode row = JSON.objectNode();
    ArrayNode cells = row.putArray("cells");
    cells.add(object.path("metadata").path("name").asText());
    for (JsonNode column : printerColumns) {
      JsonNode value = at(object, column.path("jsonPath").asText());
      if (value == null || value.isNull() || value.isMissingNode()) {
        cells.addNull();
      } else if (column.path("type").asText().equals("date")) {
        cells.add(age(value.asText()));
      } else {
        cells.add(value);
      }
    }
    if (includeObject) {
      row.set("object", object);
    } else {
      ObjectNode partial =
          row.putObject("object")
              .put("kind", "PartialObjectMetadata")
              .put("apiVersion", "meta.k8s.io/v1");
      partial.set("metadata", object.path("metadata"));
    }
    return row;
  }

  private static void column(
      ArrayNode columns,
      String name,
      String type,
      String format,
      int priority,
      String description) {
    columns
        .addObject()
        .put("name", name)
        .put("type", type)
        .put("format", format)
        .put("description", description)
        .put("priority", priority);
  }

  /** A simple JSONPath ({@code .a.b}, {@code .a[0].b}) into the object; null where nothing is. */
  static JsonNode at(JsonNode object, String jsonPath) {
    JsonNode at = object;
    for (String part : jsonPath.replaceAll("^\\{?\\.?", "").replaceAll("}$", "").split("\\.")) {
      if (part.isEmpty()) {
        continue;
      }
      String field = part;
      int index = -1;
      int bracket = part.indexOf('[');
      if (bracket >= 0 && part.endsWith("]")) {
        field = part.substring(0, bracket);
        try {
          index = Integer.parseInt(part.substring(bracket + 1, part.length() - 1));
        } catch (NumberFormatException e) {
          return null;
        }
      }
      at = at.path(field);
      if (index >= 0) {
        at = at.path(index);
      }
    }
    return at.isMissingNode() ? null : at;
  }

  private String age(String timestamp) {
    try {
      return humanDuration(Duration.between(Instant.parse(timestamp), clock.instant()));
    } catch (DateTimeParseException e) {
      return "<invalid>";
    }
  }

  /** kubectl's rendering of an age (apimachinery's {@code duration.HumanDuration}). */
  static String humanDuration(Duration duration) {
    long seconds = duration.getSeconds();
    if (seconds < 0) {
      return "0s";
    }
    if (seconds < 60 * 2) {
      return seconds + "s";
    }
    long minutes = seconds / 60;
    if (minutes < 10) {
      long s = seconds % 60;
      return s == 0 ? minutes + "m" : minutes + "m" + s + "s";
    }
    if (minutes < 60 * 3) {
      return minutes + "m";
    }
    long hours = minutes / 60;
    if (hours < 8) {
      long m = minutes % 60;
      return m == 0 ? hours + "h" : hours + "h" + m + "m";
    }
    if (hours < 48) {
      return hours + "h";
    }
    if (hours < 24 * 8) {
      long h = hours % 24;
      return h == 0 ? hours / 24 + "d" : hours / 24 + "d" + h + "h";
    }
    if (hours < 24 * 365 * 2) {
      return hours / 24 + "d";
    }
    long years = hours / 24 / 365;
    if (years < 8) {
      long d = hours / 24 % 365;
      return d == 0 ? years + "y" : years + "y" + d + "d";
    }
    return years + "y";
  }
}
