import BEAMPeers
import Foundation
import Testing

/// The project's documents stand on their own: they cite no file that is not in the repository
/// (the design notes the project started from, an issue tracker's numbers), and every relative
/// link of its Markdown pages leads to a file (and heading) that exists.
@Suite struct DocumentsTests {
    /// What a shipped file must not cite: the tests may (they say which issue asked for what).
    static var foreignReferences: [(name: String, pattern: Regex<Substring>)] {
        [("DESIGN.md", /DESIGN\.md/), ("an issue number", /(?i)\bissues?\s+#?[0-9]+/)]
    }

    @Test func noShippedFileCitesDesignNotesOrIssueNumbers() async throws {
        let files = try await TrackedFiles.list().filter { !$0.hasPrefix("Tests/") }
        #expect(files.contains("README.md") && files.contains("docs/architecture.md"), "\(files.prefix(5))")
        // Reading every file is long synchronous work: on a thread of its own, not the pool's.
        let findings = try await offThePool { files.flatMap(Self.citations(in:)) }
        #expect(findings.isEmpty, "\(findings.count) citations:\n\(findings.joined(separator: "\n"))")
    }

    static func citations(in file: String) -> [String] {
        guard let text = try? Repository.text(file) else { return [] }  // binary files
        var found: [String] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where line.contains("DESIGN") || line.localizedCaseInsensitiveContains("issue") {  // the regexes are slow
            for reference in Self.foreignReferences where line.contains(reference.pattern) {
                found.append("\(file):\(number + 1) cites \(reference.name): \(line.prefix(120))")
            }
        }
        return found
    }

    @Test func theCheckFindsWhatItLooksFor() {
        let cited = ["see DESIGN.md 3.2", "the panels issue 7 asks for", "Issue #15, item 2", "(issues 14 and 16)"]
        for line in cited {
            #expect(Self.foreignReferences.contains { line.contains($0.pattern) }, "not caught: \(line)")
        }
        for line in ["an issue with the cookie", "designs/README.md", "tissue 3"] {
            #expect(!Self.foreignReferences.contains { line.contains($0.pattern) }, "caught wrongly: \(line)")
        }
    }

    @Test func everyRelativeLinkOfTheMarkdownPagesLeadsSomewhere() async throws {
        let pages = try await TrackedFiles.list().filter { $0.hasSuffix(".md") && !$0.hasPrefix("Tests/") }
        #expect(pages.contains("README.md") && pages.contains("docs/operations.md"), "\(pages)")
        var broken: [String] = []
        var checked = 0
        for page in pages {
            for link in MarkdownLinks.relative(in: try Repository.text(page)) {
                checked += 1
                if let problem = try MarkdownLinks.problem(with: link, from: page) {
                    broken.append("\(page): (\(link)) \(problem)")
                }
            }
        }
        #expect(checked >= 20, "only \(checked) relative links found: is the link pattern still right?")
        #expect(broken.isEmpty, "broken links:\n\(broken.joined(separator: "\n"))")
    }

    /// The README is the operator's page: short, and in the order an operator needs it, with the
    /// internals and proofs one link away in docs/.
    @Test func theReadmeIsTheOperatorsPageShortAndInOrder() throws {
        let text = try Repository.text("README.md")
        #expect(text.utf8.count < 15_000, "README.md is \(text.utf8.count) bytes: move internals to docs/")
        let headings = text.split(separator: "\n").filter { $0.hasPrefix("## ") }.map { String($0.dropFirst(3)) }
        let order = [
            "Quick start", "Pointing it at a real cluster", "Configuration", "Metrics", "Dashboards", "Alerts",
            "Deployment", "Performance", "More",
        ]
        let positions = order.map { name in headings.firstIndex { $0.hasPrefix(name) } }
        #expect(!positions.contains(nil), "missing sections: \(zip(order, positions).filter { $1 == nil }.map(\.0))")
        let found = positions.compactMap { $0 }
        #expect(found == found.sorted(), "sections out of order: \(headings)")
        #expect(
            text.contains("job_name: exesdb_exporter"), "no Prometheus scrape snippet with the job the rules expect")
        #expect(!text.contains("PERF_"), "the Performance table has unfilled figures")
        for page in ["docs/architecture.md", "docs/proofs.md", "docs/performance.md", "docs/configuration.md"] {
            #expect(text.contains("(\(page)"), "README does not link \(page)")
        }
    }

    @Test func linksAndAnchorsAreReadAsGitHubReadsThem() throws {
        let text = """
            See [ops](docs/operations.md), [the pg overlay](docs/architecture.md#the-buses-and-the-pg-overlay-phoenixpubsub),
            [up](../README.md) and [a section](#metrics), not [the web](https://example.com/a.md) or
            [mail](mailto:a@example.com), nor `[code](not/a/link.md)`.
            """
        #expect(
            MarkdownLinks.relative(in: text) == [
                "docs/operations.md", "docs/architecture.md#the-buses-and-the-pg-overlay-phoenixpubsub",
                "../README.md", "#metrics",
            ])
        #expect(
            MarkdownLinks.anchor(of: "Read from the nodes themselves (`--collector.beam`)")
                == "read-from-the-nodes-themselves---collectorbeam")
        #expect(MarkdownLinks.anchor(of: "ExESDBNoPeers") == "exesdbnopeers")
        #expect(try MarkdownLinks.problem(with: "docs/no-such-page.md", from: "README.md") != nil)
        #expect(try MarkdownLinks.problem(with: "docs/architecture.md#no-such-heading", from: "README.md") != nil)
        #expect(try MarkdownLinks.problem(with: "../docs/runbook.md#exesdbnopeers", from: "alerts/README.md") == nil)
    }
}

/// The files git tracks (or, outside a git checkout, every file but the build's and git's own).
enum TrackedFiles {
    static func list() async throws -> [String] {
        let result = try await Tool.run("git", package: "git", ["-C", Repository.root.path, "ls-files", "-z"])
        if result.status == 0 {
            return result.output.split(separator: "\0").map(String.init)
        }
        let root = Repository.root.path
        let enumerator = FileManager.default.enumerator(atPath: root)
        var files: [String] = []
        while let path = enumerator?.nextObject() as? String {
            if path.hasPrefix(".build") || path.hasPrefix(".git") { continue }
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: "\(root)/\(path)", isDirectory: &isDirectory),
                !isDirectory.boolValue
            {
                files.append(path)
            }
        }
        return files
    }
}

/// Relative links of a Markdown page and whether they lead to an existing file and heading.
enum MarkdownLinks {
    /// The targets of `[text](target)` links that are not absolute (a scheme) and not in code spans.
    static func relative(in text: String) -> [String] {
        let withoutCode = text.replacing(/`[^`\n]*`/, with: "")
        return withoutCode.matches(of: /\]\(([^)\s]+)\)/).map { String($0.output.1) }.filter { target in
            target.firstMatch(of: /^[a-zA-Z][a-zA-Z0-9+.-]*:/) == nil
        }
    }

    /// GitHub's anchor of a heading: lowercased, punctuation but `-` and `_` dropped, spaces as `-`.
    static func anchor(of heading: String) -> String {
        String(
            heading.lowercased().compactMap { character -> Character? in
                if character == " " { return "-" }
                if character.isLetter || character.isNumber || character == "-" || character == "_" { return character }
                return nil
            })
    }

    static func anchors(in text: String) -> Set<String> {
        Set(
            text.split(separator: "\n").compactMap { line in
                line.wholeMatch(of: /#{1,6}\s+(.+?)\s*/).map { anchor(of: String($0.output.1)) }
            })
    }

    /// Why `link` on `page` (a path from the repository's root) leads nowhere, or nil when it does.
    static func problem(with link: String, from page: String) throws -> String? {
        let parts = link.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
        let path = String(parts[0])
        guard let target = path.isEmpty ? page : resolve(path, from: page) else { return "leaves the repository" }
        guard FileManager.default.fileExists(atPath: Repository.path(target)) else { return "no file \(target)" }
        guard parts.count == 2, target.hasSuffix(".md") else { return nil }
        let fragment = String(parts[1])
        return anchors(in: try Repository.text(target)).contains(fragment)
            ? nil : "no heading #\(fragment) in \(target)"

    }

    /// `path` relative to `page`'s folder, from the repository's root; nil when it climbs out of it.
    static func resolve(_ path: String, from page: String) -> String? {
        var components = page.split(separator: "/").dropLast().map(String.init)
        for component in path.split(separator: "/") {
            switch component {
            case ".": continue
            case "..":
                guard !components.isEmpty else { return nil }
                components.removeLast()
            default: components.append(String(component))
            }
        }
        return components.joined(separator: "/")
    }
}
