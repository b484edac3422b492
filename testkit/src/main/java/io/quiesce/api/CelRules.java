package io.quiesce.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelValidationException;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.navigation.CelNavigableAst;
import dev.cel.common.types.SimpleType;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One {@code x-kubernetes-validations} rule, compiled with CEL (the standard library and macros,
 * which is all the Quiesce rules use; the API server offers more). {@code self} and {@code oldSelf}
 * are dynamically typed here, where the API server types them from the schema, so {@link
 * #unknownFields} does that part of its checking: every field a rule selects must exist.
 */
final class CelRules {
  private static final Cel CEL =
      CelFactory.standardCelBuilder()
          .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
          .addVar("self", SimpleType.DYN)
          .addVar("oldSelf", SimpleType.DYN)
          .build();
  private static final Map<String, Compiled> CACHE = new ConcurrentHashMap<>();

  /** See {@link Compiled}; matched with the white space removed. */
  private static final java.util.regex.Pattern TRUE_WHEN_UNCHANGED =
      java.util.regex.Pattern.compile(
          "self==oldSelf|oldSelf==self"
              + "|!has\\(oldSelf\\.(\\w+)\\)\\|\\|has\\(self\\.\\1\\)"
              + "|!has\\(oldSelf\\.(\\w+)\\)\\|\\|\\(has\\(self\\.\\2\\)"
              + "&&self\\.\\2==oldSelf\\.\\2\\)");

  private CelRules() {}

  /**
   * A compiled rule; {@code transition} when it reads {@code oldSelf} (only evaluated on updates);
   * {@code trueWhenUnchanged} when it is one of the transition rules that hold whenever {@code
   * self} equals {@code oldSelf}, without error ({@code self == oldSelf}, {@code !has(oldSelf.x) ||
   * has(self.x)}, {@code !has(oldSelf.x) || (has(self.x) && self.x == oldSelf.x)}): on a node that
   * did not change they need no evaluation.
   */
  record Compiled(
      String rule,
      CelAbstractSyntaxTree ast,
      CelRuntime.Program program,
      boolean transition,
      boolean trueWhenUnchanged) {

    /** True, false, or the evaluation error as the API server words it. */
    Object evaluate(Object self, Object oldSelf) {
      Map<String, Object> variables = new LinkedHashMap<>();
      variables.put("self", self);
      if (oldSelf != null) {
        variables.put("oldSelf", oldSelf);
      }
      try {
        return program.eval(variables);
      } catch (CelEvaluationException e) {
        return e.getMessage() + " evaluating rule: " + rule;
      }
    }
  }

  static Compiled compile(String rule) {
    return CACHE.computeIfAbsent(
        rule,
        text -> {
          try {
            CelAbstractSyntaxTree ast = CEL.compile(text).getAst();
            boolean transition =
                CelNavigableAst.fromAst(ast)
                    .getRoot()
                    .allNodes()
                    .anyMatch(
                        node ->
                            node.getKind() == CelExpr.ExprKind.Kind.IDENT
                                && node.expr().ident().name().equals("oldSelf"));
            return new Compiled(
                text,
                ast,
                CEL.createProgram(ast),
                transition,
                TRUE_WHEN_UNCHANGED.matcher(text.replaceAll("\\s+", "")).matches());
          } catch (CelValidationException | CelEvaluationException e) {
            throw new IllegalArgumentException(
                "CEL rule does not compile: " + text + "\n" + e.getMessage(), e);
          }
        });
  }

  /**
   * The field selections of {@code self.a.b} / {@code oldSelf.a.b} chains in {@code rule} that the
   * schema node the rule is attached to does not have.
   */
  static List<String> unknownFields(String rule, JsonNode schema) {
    List<String> unknown = new ArrayList<>();
    CelNavigableAst.fromAst(compile(rule).ast())
        .getRoot()
        .allNodes()
        .filter(node -> node.getKind() == CelExpr.ExprKind.Kind.SELECT)
        .forEach(
            node ->
                selectionPath(node.expr())
                    .ifPresent(
                        path -> {
                          JsonNode at = schema;
                          for (String field : path) {
                            at = at.path("properties").path(field);
                            if (at.isMissingNode()) {
                              unknown.add(String.join(".", path));
                              return;
                            }
                          }
                        }));
    return unknown;
  }

  /** For {@code self.a.b}: [a, b]; empty unless the chain starts at self or oldSelf. */
  private static Optional<List<String>> selectionPath(CelExpr expr) {
    Deque<String> fields = new ArrayDeque<>();
    CelExpr at = expr;
    while (at.exprKind().getKind() == CelExpr.ExprKind.Kind.SELECT) {
      fields.addFirst(at.select().field());
      at = at.select().operand();
    }
    boolean rooted =
        at.exprKind().getKind() == CelExpr.ExprKind.Kind.IDENT
            && List.of("self", "oldSelf").contains(at.ident().name());
    return rooted ? Optional.of(List.copyOf(fields)) : Optional.empty();
  }
}
