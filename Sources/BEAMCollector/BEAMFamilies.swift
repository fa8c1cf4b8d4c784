import MetricsStore

/// The families of the BEAM collector. Names follow prometheus.erl's VM collectors (the current
/// names, which keep Prometheus's rules: counters end in `_total`, gauges do not), with a `node`
/// label added; they never expire, and a node's series go when it is no longer followed.
public enum BEAMFamilies {
    /// Every family, in the order docs/metrics.md lists them (in the catalogue, ExporterApp's
    /// `MetricCatalogue`).
    public static let descriptors: [FamilyDescriptor] = memory + systemInfo + statistics + identity + collector

    static let memoryBytes = gauge(
        "erlang_vm_memory_bytes", "Memory allocated by the VM, by kind: processes, system (erlang:memory/0).",
        ["kind"], unit: "bytes")
    static let memorySystemBytes = gauge(
        "erlang_vm_memory_system_bytes",
        "System memory by usage: atom, binary, code, ets, other (the rest of system).", ["usage"], unit: "bytes")
    static let memoryProcessesBytes = gauge(
        "erlang_vm_memory_processes_bytes", "Process memory: used, free (allocated, not used).", ["usage"],
        unit: "bytes")
    static let memoryAtomBytes = gauge(
        "erlang_vm_memory_atom_bytes", "Atom memory: used, free.", ["usage"], unit: "bytes")
    static let etsTables = gauge("erlang_vm_memory_ets_tables", "ETS tables (erlang:system_info(ets_count)).", [])
    static let memory = [memoryBytes, memorySystemBytes, memoryProcessesBytes, memoryAtomBytes, etsTables]

    /// `erlang:system_info/1` items shown as they are, by item.
    static let systemInfoGauges: [(item: String, family: String, help: String)] = [
        ("process_count", "erlang_vm_processes", "Processes existing now."),
        ("process_limit", "erlang_vm_process_limit", "The most processes that may exist at once."),
        ("port_count", "erlang_vm_ports", "Ports existing now."),
        ("port_limit", "erlang_vm_port_limit", "The most ports that may exist at once."),
        ("atom_count", "erlang_vm_atoms", "Atoms existing now."),
        ("atom_limit", "erlang_vm_atom_limit", "The most atoms that may exist."),
        ("ets_limit", "erlang_vm_ets_limit", "The most ETS tables that may exist at once."),
        ("schedulers", "erlang_vm_schedulers", "Scheduler threads."),
        ("schedulers_online", "erlang_vm_schedulers_online", "Scheduler threads online."),
        ("dirty_cpu_schedulers", "erlang_vm_dirty_cpu_schedulers", "Dirty CPU scheduler threads."),
        ("dirty_cpu_schedulers_online", "erlang_vm_dirty_cpu_schedulers_online", "Dirty CPU scheduler threads online."),
        ("dirty_io_schedulers", "erlang_vm_dirty_io_schedulers", "Dirty I/O scheduler threads."),
        ("wordsize", "erlang_vm_wordsize_bytes", "The size of a term word in bytes."),
    ]

    static let systemInfo: [FamilyDescriptor] = systemInfoGauges.map { entry in
        gauge(entry.family, entry.help, [], unit: entry.family.hasSuffix("_bytes") ? "bytes" : nil)
    }

    static let bytesReceived = counter(
        "erlang_vm_statistics_bytes_received_total", "Bytes received through ports (statistics(io)).", [])
    static let bytesOutput = counter(
        "erlang_vm_statistics_bytes_output_total", "Bytes output to ports (statistics(io)).", [])
    static let contextSwitches = counter(
        "erlang_vm_statistics_context_switches_total", "Context switches since the node started.", [])
    static let garbageCollections = counter(
        "erlang_vm_statistics_garbage_collection_number_of_gcs_total", "Garbage collections.", [])
    static let wordsReclaimed = counter(
        "erlang_vm_statistics_garbage_collection_words_reclaimed_total", "Words reclaimed by GC.", [])
    static let bytesReclaimed = counter(
        "erlang_vm_statistics_garbage_collection_bytes_reclaimed_total", "Bytes reclaimed by GC.", [])
    static let reductions = counter("erlang_vm_statistics_reductions_total", "Reductions since the node started.", [])
    static let runtime = counter(
        "erlang_vm_statistics_runtime_seconds_total", "CPU time of all the VM's threads (statistics(runtime)).",
        [], unit: "seconds")
    static let wallClock = counter(
        "erlang_vm_statistics_wallclock_time_seconds_total", "Wall-clock time since the node started.", [],
        unit: "seconds")
    static let runQueues = gauge(
        "erlang_vm_statistics_run_queues_length", "Processes and ports ready to run (statistics(run_queue)).", [])
    static let dirtyCPURunQueue = gauge(
        "erlang_vm_statistics_dirty_cpu_run_queue_length", "Length of the dirty CPU run queue.", [])
    static let dirtyIORunQueue = gauge(
        "erlang_vm_statistics_dirty_io_run_queue_length", "Length of the dirty I/O run queue.", [])
    static let statistics = [
        bytesReceived, bytesOutput, contextSwitches, garbageCollections, wordsReclaimed, bytesReclaimed, reductions,
        runtime, wallClock, runQueues, dirtyCPURunQueue, dirtyIORunQueue,
    ]

    static let vmInfo = FamilyDescriptor(
        name: "erlang_vm_info", help: "The node's OTP release and ERTS version.", type: .info,
        labelNames: ["node", "otp_release", "erts_version"], expires: false)
    static let applicationInfo = FamilyDescriptor(
        name: "exesdb_node_application_info",
        help: "Each application the node runs, with its version (application:which_applications/0).",
        type: .info, labelNames: ["node", "application", "version"], expires: false)
    static let distNodeState = gauge(
        "erlang_vm_dist_node_state",
        "Each visible node this node is connected to: 1 pending, 2 up_pending, 3 up (net_kernel:nodes_info/0).",
        ["peer"])
    static let identity = [vmInfo, applicationInfo, distNodeState]

    static let collectorDuration = FamilyDescriptor.gauge(
        "exesdb_exporter_collector_duration_seconds", help: "How long the last poll of a node took.",
        labels: ["collector", "node"], unit: "seconds", expires: false)
    static let collectorErrors = FamilyDescriptor.counter(
        "exesdb_exporter_collector_errors_total",
        help: "Items a poll could not report, by reason: timeout, badrpc, decode.",
        labels: ["collector", "node", "reason"], expires: false)
    static let collector = [collectorDuration, collectorErrors]

    /// Registers every family (again: an existing identical family is reused).
    public static func register(in store: MetricsStore) throws(FamilyRegistrationError) {
        for descriptor in descriptors { try store.register(descriptor) }
    }

    /// The names of every family with a `node` label: all of them.
    static var names: [String] { descriptors.map(\.name) }

    private static func gauge(
        _ name: String, _ help: String, _ labels: [String], unit: String? = nil
    )
        -> FamilyDescriptor
    {
        FamilyDescriptor(
            name: name, help: help, type: .gauge, unit: unit, labelNames: ["node"] + labels, expires: false)
    }

    private static func counter(
        _ name: String, _ help: String, _ labels: [String], unit: String? = nil
    )
        -> FamilyDescriptor
    {
        FamilyDescriptor(
            name: name, help: help, type: .counter, unit: unit, labelNames: ["node"] + labels, expires: false)
    }
}
