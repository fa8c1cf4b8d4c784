import ExporterApp
import Foundation
import MetricsStore
import Testing

/// The metric catalogue as the dashboards, rules and docs must use it: the union of the families
/// each module declares beside its code (`MetricCatalogue`), family -> labels. Histograms also
/// have `_bucket` (with `le`), `_sum` and `_count`; statesets have a label named like the family.
enum Catalogue {
    static let declared = MetricCatalogue.families()

    static let histograms = Set(declared.filter { $0.type == .histogram }.map(\.name))

    /// Every family's labels, and Prometheus's own `up`, which the rules use too.
    static let families: [String: Set<String>] = Dictionary(
        uniqueKeysWithValues: declared.map { descriptor in
            let labels = Set(descriptor.labelNames)
            return (descriptor.name, descriptor.type == .stateset ? labels.union([descriptor.name]) : labels)
        }
    ).merging(["up": []]) { first, _ in first }

    /// The labels a series name may carry (its family's, plus the scrape's job and instance and the
    /// cluster label Prometheus may add, which the dashboards match), or nil when the name is not in
    /// the catalogue.
    static func labels(of name: String) -> Set<String>? {
        let scrape: Set<String> = ["job", "instance", "cluster"]
        if let labels = families[name] { return labels.union(scrape) }
        for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
            let family = String(name.dropLast(suffix.count))
            if histograms.contains(family), let labels = families[family] {
                return labels.union(scrape).union(suffix == "_bucket" ? ["le"] : [])
            }
        }
        return nil
    }

    /// Names not in the catalogue, and label matchers a series cannot have, in one expression.
    static func violations(in expression: String) -> [String] {
        // Recording rule names (level:metric:operation) and quoted values are not series names.
        let bare = expression.replacing(/[a-z_]+:[a-z0-9_]+:[a-z0-9_]+/, with: "")
            .replacing(/"[^"]*"/, with: "\"\"")
        var found: [String] = []
        for match in bare.matches(of: /\b(?:exesdb|process|erlang_vm)_[a-z0-9_]+/) {
            let name = String(match.output)
            if labels(of: name) == nil { found.append("unknown series \(name)") }
        }
        for match in bare.matches(of: /\b((?:exesdb|process|erlang_vm)_[a-z0-9_]+|up)\{([^}]*)\}/) {
            let name = String(match.output.1)
            guard let allowed = labels(of: name) else { continue }
            for key in match.output.2.matches(of: /([A-Za-z_][A-Za-z0-9_]*)\s*(?:=~|!~|!=|=)/) {
                let label = String(key.output.1)
                if !allowed.contains(label) { found.append("\(name) has no label \(label)") }
            }
        }
        return found
    }
}

/// docs/metrics.md, the catalogue's page: its tables' rows, one family each.
enum CataloguePage {
    struct Row: Equatable, CustomStringConvertible {
        var type: String
        var labels: [String]
        var description: String { "\(type) {\(labels.joined(separator: ","))}" }
    }

    /// Family -> type and labels, from every row of the form | `name` | type | labels | from |.
    /// The type is the cell's first word ("info (gauge in 0.0.4)" is an info family).
    static func rows(_ text: String) -> (rows: [String: Row], problems: [String]) {
        var rows: [String: Row] = [:]
        var problems: [String] = []
        for line in text.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard cells.count >= 4, let name = cells[0].wholeMatch(of: /`([a-z_:][a-z0-9_:]*)`/)?.output.1 else {
                problems.append("not one family in backticks, then type, labels and source: \(line)")
                continue
            }
            let type = String(cells[1].prefix { $0 != " " })
            let labels = cells[2].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            if rows.updateValue(Row(type: type, labels: labels), forKey: String(name)) != nil {
                problems.append("\(name) is listed twice")
            }
        }
        return (rows, problems)
    }

    /// What the page and the declarations disagree on: a family on one side only, or with another
    /// type or label list (in the order the series carry them).
    static func differences(page: [String: Row], declared: [FamilyDescriptor]) -> [String] {
        var found: [String] = []
        for descriptor in declared {
            let row = Row(type: descriptor.type.rawValue, labels: descriptor.labelNames)
            guard let documented = page[descriptor.name] else {
                found.append("\(descriptor.name) (\(row)) is emitted but not in docs/metrics.md")
                continue
            }
            if documented != row { found.append("\(descriptor.name) is \(row), docs/metrics.md says \(documented)") }
        }
        let names = Set(declared.map(\.name))
        for name in page.keys.sorted() where !names.contains(name) {
            found.append("\(name) is in docs/metrics.md but no module declares it")
        }
        return found
    }

    /// Backticked series names (and the labels after them) in the README that are not the catalogue's.
    static func readmeViolations(_ text: String) -> [String] {
        var found: [String] = []
        for match in text.matches(of: /`((?:exesdb|erlang_vm|process)_[a-z0-9_]*)(\{([a-z_, ]*)\})?`/) {
            let name = String(match.output.1)
            // The program's own name, and groups such as `exesdb_exporter_webhook_*`, are not families.
            guard name != "exesdb_exporter", !name.hasSuffix("_") else { continue }
            guard let labels = Catalogue.families[name] else {
                found.append("\(name) is not in the catalogue")
                continue
            }
            let named = (match.output.3.map(String.init) ?? "").split(separator: ",").map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            for label in named where !labels.contains(label) { found.append("\(name) has no label \(label)") }
        }
        return found
    }
}

/// Every family the modules declare is on docs/metrics.md with its type and labels, and nothing
/// else is; every series the dashboards, rules and README name is in the catalogue, with labels it has.
@Suite struct CatalogueTests {
    @Test func theCataloguePageListsExactlyTheDeclaredFamilies() throws {
        let page = CataloguePage.rows(try Repository.text("docs/metrics.md"))
        #expect(page.problems.isEmpty, "\(page.problems)")
        let differences = CataloguePage.differences(page: page.rows, declared: Catalogue.declared)
        #expect(differences.isEmpty, "\(differences.joined(separator: "\n"))")
    }

    @Test func theReadmeNamesOnlyCatalogueFamilies() throws {
        let problems = CataloguePage.readmeViolations(try Repository.text("README.md"))
        #expect(problems.isEmpty, "\(problems)")
    }

    @Test func eachFamilyIsDeclaredOnce() {
        let names = Catalogue.declared.map(\.name)
        #expect(names.count == Set(names).count, "\(Dictionary(grouping: names) { $0 }.filter { $1.count > 1 }.keys)")
    }

    @Test func dashboardQueriesUseTheCatalogue() throws {
        for file in DashboardTests.files {
            let dashboard = try Repository.json(file)
            let templating = dashboard["templating"] as? [String: Any] ?? [:]
            let variableQueries = (templating["list"] as? [[String: Any]] ?? []).compactMap {
                $0["definition"] as? String
            }
            for expression in DashboardTests.expressions(dashboard) + variableQueries {
                let problems = Catalogue.violations(in: expression)
                #expect(problems.isEmpty, "\(file): \(problems) in \(expression)")
            }
        }
    }

    @Test func ruleExpressionsUseTheCatalogue() throws {
        for file in ["alerts/recording_rules.yml", "alerts/alerting_rules.yml"] {
            for rule in try AlertRulesTests.rules(file) {
                let expression = rule["expr"] as? String ?? ""
                let problems = Catalogue.violations(in: expression)
                #expect(problems.isEmpty, "\(file): \(problems) in \(expression)")
            }
        }
    }

    /// The demo's exclusions name catalogue families (a renamed family does not hide there).
    @Test func theEndToEndExclusionsAreCatalogueFamilies() {
        let unknown = Set(EndToEndTests.demoCannotSample.keys).subtracting(Catalogue.families.keys)
        #expect(unknown.isEmpty, "\(unknown)")
    }

    @Test func theCheckCatchesWhatItShould() {
        #expect(
            Catalogue.violations(in: "rate(exesdb_operation_total[5m])") == ["unknown series exesdb_operation_total"])
        #expect(
            Catalogue.violations(in: #"exesdb_alerts_active{job="x", node=~"$node"}"#)
                == ["exesdb_alerts_active has no label node"])
        #expect(Catalogue.violations(in: #"sum by (le) (rate(exesdb_latency_seconds_bucket{stat="p99"}[1m]))"#).isEmpty)
        #expect(Catalogue.violations(in: #"node_operation:exesdb_operations:rate5m{job="exesdb_exporter"}"#).isEmpty)
    }

    /// The page check fails on each way the page and the code can part.
    @Test func thePageCheckCatchesWhatItShould() {
        let declared = [
            FamilyDescriptor.counter("exesdb_a_total", help: "a", labels: ["node", "kind"]),
            FamilyDescriptor(name: "exesdb_b", help: "b", type: .stateset, labelNames: ["node"], states: ["x"]),
        ]
        let page = """
            | `exesdb_a_total` | counter | node, kind | one per A |
            | `exesdb_b` | stateset | node | B.status |
            """
        #expect(CataloguePage.differences(page: CataloguePage.rows(page).rows, declared: declared).isEmpty)
        let broken = [
            page.replacing("| counter |", with: "| gauge |"),
            page.replacing("node, kind", with: "node"),
            page.replacing("node, kind", with: "kind, node"),
            page.replacing("exesdb_b`", with: "exesdb_c`"),
            page + "\n| `exesdb_d` | gauge | | D |",
        ]
        for text in broken {
            #expect(
                !CataloguePage.differences(page: CataloguePage.rows(text).rows, declared: declared).isEmpty,
                "not caught: \(text)")
        }
        #expect(!CataloguePage.rows("| `exesdb_a`, `exesdb_b` | gauge | node | A, B |").problems.isEmpty)
        #expect(
            CataloguePage.readmeViolations("`exesdb_up`, `exesdb_exporter_webhook_*`, `exesdb_exporter`").isEmpty)
        #expect(CataloguePage.readmeViolations("`exesdb_upp` `exesdb_exporter_peer_up{reason}`").count == 2)
    }
}
