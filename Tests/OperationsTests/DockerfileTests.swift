import BEAMPeers
import Foundation
import Testing

/// deploy/docker/Dockerfile against Package.swift: the image's build and runtime stages are read as
/// text and held to what the package links, and the image is built where docker or podman can.
@Suite struct DockerfileTests {
    /// The runtime library of each build-time (-dev) package on the runtime stage's Debian release
    /// (bookworm). A systemLibrary with a provider missing here fails the test: add its pair.
    static let runtimePackages = ["libssl-dev": "libssl3", "libcurl4-openssl-dev": "libcurl4", "zlib1g-dev": "zlib1g"]
    static let release = "bookworm"

    @Test func theBuildStageInstallsEverySystemLibraryAndTheRuntimeStageItsRuntime() async throws {
        let dockerfile = Dockerfile(try Repository.text("deploy/docker/Dockerfile"))
        let libraries = SystemLibraryTarget.all(in: try Repository.text("Package.swift"))
        #expect(
            libraries.compactMap(\.pkgConfig).sorted() == ["libcrypto", "libcurl", "zlib"],
            "Package.swift: \(libraries)")
        #expect(dockerfile.stages.count == 2, "a build stage and a runtime stage: \(dockerfile.stages)")
        guard let build = dockerfile.stages.first, let runtime = dockerfile.stages.last, build.name != nil else {
            return
        }
        #expect(build.base.hasSuffix("-\(Self.release)"), "the build stage is not on \(Self.release): \(build.base)")
        #expect(runtime.base.hasPrefix("debian:\(Self.release)"), "runtime on \(Self.release): \(runtime.base)")
        #expect(runtime.copiesFrom.contains(build.name ?? ""), "the runtime stage copies nothing from the build")
        if libraries.contains(where: { $0.pkgConfig != nil }) {
            #expect(build.aptPackages.contains("pkg-config"), "the systemLibrary targets need pkg-config")
        }
        for library in libraries {
            #expect(!library.aptProviders.isEmpty, "\(library.name): no apt provider in Package.swift")
            for provider in library.aptProviders {
                #expect(
                    build.aptPackages.contains(provider),
                    "the build stage does not install \(provider), which \(library.name) needs")
                let runtimePackage = Self.runtimePackages[provider]
                #expect(runtimePackage != nil, "no runtime package known for \(provider): add it to runtimePackages")
                if let runtimePackage {
                    #expect(
                        runtime.aptPackages.contains(runtimePackage),
                        "the runtime stage lacks \(runtimePackage), the library \(library.name) links at run time")
                }
            }
        }
    }

    /// The pairs above are Debian's own: each -dev package depends on its runtime library (this
    /// machine runs the same release as the image, and has the -dev packages to build).
    @Test func theRuntimePairsAreDebians() async throws {
        let release = try String(contentsOfFile: "/etc/os-release", encoding: .utf8)
        try #require(release.contains("VERSION_CODENAME=\(Self.release)"), "this check needs Debian \(Self.release)")
        for (development, runtime) in Self.runtimePackages {
            let result = try await Tool.run("dpkg-query", package: "dpkg", ["-W", "-f=${Depends}", development])
            #expect(result.status == 0, "\(development) is not installed: \(result.output)")
            let dependencies = result.output.split(separator: ",").map {
                $0.trimmingCharacters(in: .whitespaces).split(separator: " ").first.map(String.init) ?? ""
            }
            #expect(dependencies.contains(runtime), "\(development) depends on \(dependencies), not \(runtime)")
        }
    }

    /// The image carries the OCI annotations, its version the binary's.
    @Test func theImageHasOCILabelsWithTheExportersVersion() async throws {
        let runtime = try #require(Dockerfile(try Repository.text("deploy/docker/Dockerfile")).stages.last)
        for key in ["title", "description", "version", "revision", "created", "base.name"] {
            #expect(
                !(runtime.labels["org.opencontainers.image.\(key)"] ?? "").isEmpty,
                "the runtime stage has no org.opencontainers.image.\(key) label: \(runtime.labels)")
        }
        #expect(runtime.labels["org.opencontainers.image.version"] == "${VERSION}")
        #expect(runtime.labels["org.opencontainers.image.revision"] == "${REVISION}")
        let version = try await Tool.run(Repository.exporterBinary, package: "(swift build)", ["--version"]).output
        #expect(
            version.hasPrefix((runtime.arguments["VERSION"] ?? "?") + " "),
            "ARG VERSION=\(runtime.arguments["VERSION"] ?? "-") but the binary says \(version)")
    }

    /// Builds the image and runs it, where docker or podman can build here; otherwise the test is
    /// cancelled (reported as skipped) with what each said.
    @Test(.timeLimit(.minutes(30))) func theImageBuildsAndRuns() async throws {
        var reasons: [String] = []
        var builder: String?
        for tool in ["docker", "podman"] {
            guard let path = try? Tool.locate(tool, package: tool) else {
                reasons.append("\(tool): not installed")
                continue
            }
            let info = try await ErlangTools.run(path, ["info"])
            if info.status == 0 {
                builder = path
                break
            }
            let said = info.output.split(separator: "\n").last { !$0.isEmpty } ?? "status \(info.status)"
            reasons.append("\(tool) info: \(said)")
        }
        guard let builder else {
            try Test.cancel("no container builder here, the image was not built: \(reasons.joined(separator: "; "))")
        }
        let tag = "exesdb_exporter:test-\(UInt32.random(in: 0...UInt32.max))"
        let build = try await ErlangTools.run(
            builder,
            [
                "build", "-f", Repository.path("deploy/docker/Dockerfile"), "-t", tag, "--build-arg", "REVISION=test",
                Repository.root.path,
            ])
        #expect(build.status == 0, "\(build.output.suffix(3000))")
        guard build.status == 0 else { return }
        defer { Task { _ = try? await ErlangTools.run(builder, ["rmi", "-f", tag]) } }
        let run = try await ErlangTools.run(builder, ["run", "--rm", tag, "--version"])
        #expect(run.status == 0 && run.output.contains("revision: test"), "\(run.output)")
        let labels = try await ErlangTools.run(
            builder, ["inspect", "--format", "{{index .Config.Labels \"org.opencontainers.image.version\"}}", tag])
        #expect(labels.output.trimmingCharacters(in: .whitespacesAndNewlines) == "0.3.0-dev", "\(labels.output)")
    }

    @Test func theParserReadsStagesAndContinuedInstallLines() {
        let dockerfile = Dockerfile(
            """
            # syntax=docker/dockerfile:1
            FROM swift:6.2-bookworm AS build
            RUN apt-get update \\
             # a comment inside the instruction
             && apt-get install -y --no-install-recommends libfoo-dev pkg-config \\
             && rm -rf /var/lib/apt/lists/*
            FROM debian:bookworm-slim
            RUN apt-get install -y libfoo1; echo done
            COPY --from=build /out/x /usr/local/bin/x
            """)
        #expect(dockerfile.stages.map(\.name) == ["build", nil])
        #expect(dockerfile.stages.first?.aptPackages == ["libfoo-dev", "pkg-config"])
        #expect(dockerfile.stages.last?.aptPackages == ["libfoo1"])
        #expect(dockerfile.stages.last?.copiesFrom == ["build"])
        let labelled = Dockerfile(
            """
            FROM debian:bookworm-slim
            ARG VERSION=1.2.3
            LABEL org.opencontainers.image.title="x y" \\
                  org.opencontainers.image.version="${VERSION}" plain=yes
            """)
        #expect(labelled.stages.last?.arguments == ["VERSION": "1.2.3"])
        #expect(
            labelled.stages.last?.labels == [
                "org.opencontainers.image.title": "x y", "org.opencontainers.image.version": "${VERSION}",
                "plain": "yes",
            ])
        let libraries = SystemLibraryTarget.all(
            in: """
                .systemLibrary(
                    name: "CFoo", pkgConfig: "libfoo", providers: [.apt(["libfoo-dev", "libbar-dev"]), .brew(["foo"])]
                ),
                .systemLibrary(name: "CBaz", path: "Sources/CBaz"),
                """)
        #expect(libraries.map(\.name) == ["CFoo", "CBaz"])
        #expect(libraries.first?.aptProviders == ["libfoo-dev", "libbar-dev"])
        #expect(libraries.last?.pkgConfig == nil)
    }
}

/// A Dockerfile's stages, as far as these checks need them.
struct Dockerfile {
    struct Stage: CustomStringConvertible {
        var base: String
        var name: String?
        /// What the stage's RUN instructions install with apt-get.
        var aptPackages: Set<String> = []
        /// The stages its `COPY --from=` instructions copy from.
        var copiesFrom: [String] = []
        /// Its `LABEL` keys and values (quotes removed), and its `ARG` defaults.
        var labels: [String: String] = [:]
        var arguments: [String: String] = [:]
        var description: String { "\(name ?? "(unnamed)") from \(base)" }
    }

    let stages: [Stage]

    init(_ text: String) {
        var stages: [Stage] = []
        for instruction in Self.instructions(text) {
            let words = instruction.split(whereSeparator: \.isWhitespace).map(String.init)
            guard let keyword = words.first?.uppercased() else { continue }
            switch keyword {
            case "FROM":
                let base = words.dropFirst().first { !$0.hasPrefix("--") } ?? ""
                let alias = words.firstIndex { $0.uppercased() == "AS" }.flatMap { words.dropFirst($0 + 1).first }
                stages.append(Stage(base: base, name: alias))
            case "RUN" where !stages.isEmpty:
                stages[stages.count - 1].aptPackages.formUnion(Self.aptPackages(installedBy: words.dropFirst()))
            case "LABEL" where !stages.isEmpty:
                stages[stages.count - 1].labels.merge(Self.pairs(instruction.dropFirst(5))) { $1 }
            case "ARG" where !stages.isEmpty:
                stages[stages.count - 1].arguments.merge(Self.pairs(instruction.dropFirst(3))) { $1 }
            case "COPY" where !stages.isEmpty:
                let sources = words.compactMap { $0.hasPrefix("--from=") ? String($0.dropFirst(7)) : nil }
                stages[stages.count - 1].copiesFrom += sources
            default: break
            }
        }
        self.stages = stages
    }

    /// The `key=value` pairs of a LABEL or ARG instruction; values may be double-quoted with spaces.
    static func pairs(_ text: Substring) -> [String: String] {
        Dictionary(
            text.matches(of: /([A-Za-z0-9_.\-]+)=(?:"([^"]*)"|(\S*))/).map { match in
                (String(match.output.1), String(match.output.2 ?? match.output.3 ?? ""))
            }
        ) { $1 }
    }

    /// One string per instruction: comment lines dropped, backslash continuations joined.
    static func instructions(_ text: String) -> [String] {
        var result: [String] = []
        var current = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("#") || trimmed.isEmpty { continue }
            if trimmed.hasSuffix("\\") {
                current += trimmed.dropLast() + " "
            } else {
                result.append(current + trimmed)
                current = ""
            }
        }
        if !current.isEmpty { result.append(current) }
        return result
    }

    /// The operands of every `apt-get install` in a shell command line (options skipped).
    static func aptPackages(installedBy words: ArraySlice<String>) -> Set<String> {
        var packages: Set<String> = []
        var command: [String] = []
        for word in words + ["&&"] {
            if ["&&", "||", ";", "|"].contains(word) || word.hasSuffix(";") {
                if !["&&", "||", ";", "|"].contains(word) { command.append(String(word.dropLast())) }
                if let install = command.firstIndex(of: "install"), command.prefix(install).contains("apt-get") {
                    packages.formUnion(command[(install + 1)...].filter { !$0.hasPrefix("-") })
                }
                command = []
            } else {
                command.append(word)
            }
        }
        return packages
    }
}

/// A `.systemLibrary` target of Package.swift: its name, pkg-config name and apt providers.
struct SystemLibraryTarget: CustomStringConvertible {
    var name: String
    var pkgConfig: String?
    var aptProviders: [String]
    var description: String { "\(name) (pkg-config \(pkgConfig ?? "-"), apt \(aptProviders))" }

    static func all(in manifest: String) -> [SystemLibraryTarget] {
        manifest.components(separatedBy: ".systemLibrary(").dropFirst().map { rest in
            let call = balancedPrefix(rest)
            let aptLists = call.matches(of: /\.apt\(\[([^\]]*)\]\)/).map { String($0.output.1) }
            return SystemLibraryTarget(
                name: call.firstMatch(of: /name:\s*"([^"]+)"/).map { String($0.output.1) } ?? "?",
                pkgConfig: call.firstMatch(of: /pkgConfig:\s*"([^"]+)"/).map { String($0.output.1) },
                aptProviders: aptLists.flatMap { list in list.matches(of: /"([^"]+)"/).map { String($0.output.1) } })
        }
    }

    /// The arguments of a call whose opening parenthesis was just consumed.
    private static func balancedPrefix(_ text: String) -> Substring {
        var depth = 1
        for index in text.indices {
            if text[index] == "(" { depth += 1 }
            if text[index] == ")" { depth -= 1 }
            if depth == 0 { return text[..<index] }
        }
        return text[...]
    }
}
