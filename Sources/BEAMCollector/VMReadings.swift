import ErlangTerm

/// What one answer means for a node's series.
enum FigureUpdate: Sendable, Equatable {
    case gauge(String, Double, [String] = [])
    /// The total of a counter the node keeps.
    case counter(String, Double)
    case info(String, [String])
    /// Every member of a family whose members come and go (peers, applications), with its value.
    case members(String, [[String]: Double])
}

/// The updates and problems read from one answer.
struct Reading: Sendable, Equatable {
    var updates: [FigureUpdate] = []
    var problems: [PollProblem] = []

    mutating func decodeProblem(_ subject: String, found: Term?) {
        problems.append(PollProblem(reason: .decode, subject: subject, found: found.map(Self.shape) ?? "nothing"))
    }

    /// A term's shape for a log line: its type and size, not its contents.
    static func shape(_ term: Term) -> String {
        switch term {
        case .integer, .bigInteger: "an integer"
        case .float: "a float"
        case .atom(let atom): "the atom \(atom.name.prefix(32))"
        case .tuple(let fields): "a tuple of \(fields.count)"
        case .list(let items): "a list of \(items.count)"
        case .string(let bytes): "a list of \(bytes.count) small integers"
        case .improperList: "an improper list"
        case .map(let entries): "a map of \(entries.count)"
        case .binary, .bitBinary: "a binary"
        default: "a pid, port, reference or fun"
        }
    }
}

/// Reads the answers of a poll's calls (pure: the tests feed them any shape).
enum VMReadings {
    /// `erlang:system_info/1` items by name. Also what the statistics need: the word size and
    /// the number of schedulers.
    static func systemInfo(_ values: [String: Term]) -> (reading: Reading, wordsize: Double?, schedulers: Int?) {
        var reading = Reading()
        for (item, family, _) in BEAMFamilies.systemInfoGauges {
            guard let term = values[item] else { continue }
            guard let value = term.number else {
                reading.decodeProblem("erlang:system_info(\(item))", found: term)
                continue
            }
            reading.updates.append(.gauge(family, value))
        }
        if let term = values["ets_count"] {
            if let value = term.number {
                reading.updates.append(.gauge(BEAMFamilies.etsTables.name, value))
            } else {
                reading.decodeProblem("erlang:system_info(ets_count)", found: term)
            }
        }
        if let release = values["otp_release"], let version = values["version"] {
            if let releaseText = release.text, let versionText = version.text {
                reading.updates.append(.info(BEAMFamilies.vmInfo.name, [releaseText, versionText]))
            } else {
                reading.decodeProblem(
                    "erlang:system_info(otp_release | version)", found: release.text == nil ? release : version)
            }
        }
        // A count no VM has (the BEAM runs 1 to 1,024 schedulers) is no count: it would name
        // the dirty run queues at an index past the list, or past any Int.
        let schedulers = values["schedulers"]?.number.flatMap { Int(exactly: $0) }.flatMap {
            (1...1024).contains($0) ? $0 : nil
        }
        return (reading, values["wordsize"]?.number, schedulers)
    }

    /// `erlang:statistics/1` items by name.
    static func statistics(_ values: [String: Term], wordsize: Double?, schedulers: Int?) -> Reading {
        var reading = Reading()
        func counter(_ item: String, _ family: String, _ value: Double?, scale: Double = 1) {
            guard let value else { return reading.decodeProblem("erlang:statistics(\(item))", found: values[item]) }
            reading.updates.append(.counter(family, value * scale))
        }
        if let io = values["io"] {
            counter("io", BEAMFamilies.bytesReceived.name, io.field(0)?.field(1)?.number)
            counter("io", BEAMFamilies.bytesOutput.name, io.field(1)?.field(1)?.number)
        }
        if let switches = values["context_switches"] {
            counter("context_switches", BEAMFamilies.contextSwitches.name, switches.field(0)?.number)
        }
        if let gc = values["garbage_collection"] {
            let gcs = BEAMFamilies.garbageCollections.name
            counter("garbage_collection", gcs, gc.field(0)?.number)
            let words = gc.field(1)?.number
            counter("garbage_collection", BEAMFamilies.wordsReclaimed.name, words)
            if let words, let wordsize {
                reading.updates.append(
                    .counter(BEAMFamilies.bytesReclaimed.name, words * wordsize))
            }
        }
        if let reductions = values["reductions"] {
            counter("reductions", BEAMFamilies.reductions.name, reductions.field(0)?.number)
        }
        if let runtime = values["runtime"] {
            counter("runtime", BEAMFamilies.runtime.name, runtime.field(0)?.number, scale: 0.001)
        }
        if let wallClock = values["wall_clock"] {
            counter(
                "wall_clock", BEAMFamilies.wallClock.name, wallClock.field(0)?.number,
                scale: 0.001)
        }
        if let queue = values["run_queue"] {
            if let length = queue.number {
                reading.updates.append(.gauge(BEAMFamilies.runQueues.name, length))
            } else {
                reading.decodeProblem("erlang:statistics(run_queue)", found: queue)
            }
        }
        if let lengths = values["run_queue_lengths_all"] {
            dirtyRunQueues(lengths, schedulers: schedulers, into: &reading)
        }
        return reading
    }

    /// The normal run queues, then the dirty CPU and the dirty I/O one.
    private static func dirtyRunQueues(_ lengths: Term, schedulers: Int?, into reading: inout Reading) {
        guard let queues = lengths.elements?.compactMap(\.number), queues.count == lengths.elements?.count else {
            return reading.decodeProblem("erlang:statistics(run_queue_lengths_all)", found: lengths)
        }
        guard let schedulers, schedulers >= 0, queues.count - 2 == schedulers else { return }
        reading.updates.append(.gauge(BEAMFamilies.dirtyCPURunQueue.name, queues[schedulers]))
        reading.updates.append(.gauge(BEAMFamilies.dirtyIORunQueue.name, queues[schedulers + 1]))
    }

    /// `erlang:memory/0`: `[{total, N}, {processes, N}, ...]`.
    static func memory(_ answer: Term) -> Reading {
        var reading = Reading()
        guard let entries = answer.proplist else {
            reading.decodeProblem("erlang:memory/0", found: answer)
            return reading
        }
        var missing: [String] = []
        func value(_ key: String) -> Double? {
            guard let number = entries[key]?.number else {
                missing.append(key)
                return nil
            }
            return number
        }
        let (system, processes) = (value("system"), value("processes"))
        let (atom, binary, code, ets) = (value("atom"), value("binary"), value("code"), value("ets"))
        let (processesUsed, atomUsed) = (value("processes_used"), value("atom_used"))
        if let system { reading.updates.append(.gauge(BEAMFamilies.memoryBytes.name, system, ["system"])) }
        if let processes { reading.updates.append(.gauge(BEAMFamilies.memoryBytes.name, processes, ["processes"])) }
        for (usage, bytes) in [("atom", atom), ("binary", binary), ("code", code), ("ets", ets)] {
            if let bytes { reading.updates.append(.gauge(BEAMFamilies.memorySystemBytes.name, bytes, [usage])) }
        }
        if let system, let atom, let binary, let code, let ets {
            let other = system - atom - binary - code - ets
            reading.updates.append(.gauge(BEAMFamilies.memorySystemBytes.name, other, ["other"]))
        }
        if let processes, let processesUsed {
            reading.updates.append(.gauge(BEAMFamilies.memoryProcessesBytes.name, processesUsed, ["used"]))
            reading.updates.append(.gauge(BEAMFamilies.memoryProcessesBytes.name, processes - processesUsed, ["free"]))
        }
        if let atom, let atomUsed {
            reading.updates.append(.gauge(BEAMFamilies.memoryAtomBytes.name, atomUsed, ["used"]))
            reading.updates.append(.gauge(BEAMFamilies.memoryAtomBytes.name, atom - atomUsed, ["free"]))
        }
        if !missing.isEmpty {
            reading.problems.append(
                PollProblem(reason: .decode, subject: "erlang:memory/0", found: "no \(missing.joined(separator: ", "))")
            )
        }
        return reading
    }

    /// `application:which_applications/0`: `[{Name, Description, Version}]`.
    static func applications(_ answer: Term) -> Reading {
        var reading = Reading()
        guard let items = answer.elements else {
            reading.decodeProblem("application:which_applications/0", found: answer)
            return reading
        }
        var members: [[String]: Double] = [:]
        var unread: Term?
        for item in items {
            guard case .atom(let name)? = item.field(0), let version = item.field(2)?.text else {
                unread = unread ?? item
                continue
            }
            members[[name.name, version]] = 1
        }
        reading.updates.append(.members(BEAMFamilies.applicationInfo.name, members))
        if let unread { reading.decodeProblem("application:which_applications/0 entry", found: unread) }
        return reading
    }

    /// `net_kernel:nodes_info/0`: `{ok, [{Node, [{state, up}, {type, normal}, ...]}]}`. Hidden
    /// connections (consoles, this exporter) are left out: they are not the cluster's mesh.
    static func distribution(_ answer: Term) -> Reading {
        var reading = Reading()
        guard answer.field(0) == .atom("ok"), let connections = answer.field(1)?.elements else {
            reading.decodeProblem("net_kernel:nodes_info/0", found: answer)
            return reading
        }
        let states: [String: Double] = ["pending": 1, "up_pending": 2, "up": 3]
        var members: [[String]: Double] = [:]
        var unread: Term?
        for connection in connections {
            guard case .atom(let peer)? = connection.field(0), let info = connection.field(1)?.proplist,
                case .atom(let type)? = info["type"], case .atom(let state)? = info["state"]
            else {
                unread = unread ?? connection
                continue
            }
            guard type.name == "normal" else { continue }
            guard let value = states[state.name] else {
                unread = unread ?? .atom(state)
                continue
            }
            members[[peer.name]] = value
        }
        reading.updates.append(.members(BEAMFamilies.distNodeState.name, members))
        if let unread { reading.decodeProblem("net_kernel:nodes_info/0 entry", found: unread) }
        return reading
    }
}
