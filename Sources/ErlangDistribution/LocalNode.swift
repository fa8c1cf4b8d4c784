import ErlangTerm
import NIOConcurrencyHelpers
import Synchronization

/// This node's own processes: names, creation, pid and reference allocation, mailboxes,
/// registered names, monitors and links held by remote processes, monitors our processes hold
/// on remote ones, and routes to peers.
///
/// Thread-safe: frames are delivered from NIO event loops while tasks send.
public final class LocalNode: Sendable {
    public let name: Atom
    public let creation: UInt32
    private let state: NIOLockedValueBox<State>
    /// Bumped, under the lock, whenever an inline process comes or goes: a connection that
    /// remembers the last one it delivered to (`InlineReceiverMemo`) checks this instead of
    /// taking the lock for every broadcast.
    private let inlineChanges = Atomic<UInt64>(0)

    struct Watcher: Equatable {
        enum Kind { case monitor, link }
        let kind: Kind
        let peer: String
        let remote: Pid
        let reference: Reference?
        let byName: Atom?
    }

    struct State {
        var nextProcess: UInt32 = 1
        var nextReference: UInt64 = 1
        var mailboxes: [UInt32: AsyncStream<Delivery>.Continuation] = [:]
        /// Processes that handle their messages where they are read (`spawnInline`).
        var inline: [UInt32: any InlineReceiver] = [:]
        var names: [Atom: Pid] = [:]
        var aliases: [Reference: Pid] = [:]
        var watchers: [UInt32: [Watcher]] = [:]
        var routes: [String: any PeerRoute] = [:]
        /// Remote processes our processes monitor, by monitor reference.
        var monitoring: [Reference: Monitoring] = [:]
    }

    /// A monitor one of our processes holds on a remote process.
    struct Monitoring {
        let watcher: Pid
        let target: Pid
        let peer: String
    }

    public init(name: NodeName, creation: UInt32) {
        self.name = Atom(name.description)
        self.creation = creation
        self.state = NIOLockedValueBox(State())
    }

    // MARK: - Processes

    /// A new process with a mailbox, registered under `registeredName` when given.
    public func spawn(registeredName: Atom? = nil) -> Mailbox {
        let (stream, continuation) = AsyncStream<Delivery>.makeStream()
        let pid = newProcess(registeredName: registeredName) { $0.mailboxes[$1] = continuation }
        return Mailbox(process: LocalProcess(pid: pid, node: self), messages: stream)
    }

    /// A new process whose messages `receiver` handles on the thread that read them, from the
    /// bytes they arrived in, not decoded: for a reader faster than a `TermView` for the messages
    /// it expects (Phoenix.PubSub's members). What it gets is not validated; it must read it as
    /// hostile input. The process lives as long as the handle returned.
    public func spawnInline(_ receiver: any InlineReceiver, registeredName: Atom? = nil) -> LocalProcess {
        let pid = newProcess(registeredName: registeredName) { state, number in
            state.inline[number] = receiver
            inlineChanges.add(1, ordering: .releasing)
        }
        return LocalProcess(pid: pid, node: self)
    }

    /// A pid for a new process whose mailbox `install` records under its number.
    private func newProcess(registeredName: Atom?, install: (inout State, UInt32) -> Void) -> Pid {
        state.withLockedValue { state -> Pid in
            let number = state.nextProcess
            state.nextProcess &+= 1
            let pid = Pid(node: name, id: number & 0x7FFF, serial: number >> 15, creation: creation)
            install(&state, number)
            if let registeredName { state.names[registeredName] = pid }
            return pid
        }
    }

    /// A reference unique to this node incarnation.
    public func makeReference() -> Reference {
        let number = state.withLockedValue { state -> UInt64 in
            defer { state.nextReference &+= 1 }
            return state.nextReference
        }
        return Reference(
            node: name, creation: creation,
            words: [
                UInt32(number & 0x3FFFF), UInt32(truncatingIfNeeded: number >> 18),
                UInt32(truncatingIfNeeded: number >> 50),
            ])
    }

    /// Registers `name` for `pid` (a process of this node), as `erlang:register/2`.
    public func register(_ name: Atom, for pid: Pid) {
        state.withLockedValue { $0.names[name] = pid }
    }

    public func whereis(_ name: Atom) -> Pid? {
        state.withLockedValue { $0.names[name] }
    }

    /// An alias that delivers to `pid`, for ALIAS_SEND.
    public func makeAlias(for pid: Pid) -> Reference {
        let alias = makeReference()
        state.withLockedValue { $0.aliases[alias] = pid }
        return alias
    }

    /// Ends a process: its mailbox finishes, its names go, and every remote process monitoring or
    /// linked to it is told `reason`.
    func exit(_ pid: Pid, reason: Term) {
        let (continuation, watchers, routes) = state.withLockedValue { state in
            let continuation = state.mailboxes.removeValue(forKey: Self.number(of: pid))
            if state.inline.removeValue(forKey: Self.number(of: pid)) != nil {
                inlineChanges.add(1, ordering: .releasing)
            }
            state.names = state.names.filter { $0.value != pid }
            state.aliases = state.aliases.filter { $0.value != pid }
            let watchers = state.watchers.removeValue(forKey: Self.number(of: pid)) ?? []
            return (continuation, watchers, state.routes)
        }
        continuation?.finish()
        for watcher in watchers {
            guard let route = routes[watcher.peer] else { continue }
            Self.notify(watcher, about: pid, reason: reason, through: route)
        }
    }

    private static func number(of pid: Pid) -> UInt32 { pid.serial << 15 | pid.id }

    // MARK: - Routes

    /// Makes `route` the way to its peer.
    func attach(_ route: any PeerRoute) {
        state.withLockedValue { $0.routes[route.peerName] = route }
    }

    /// Forgets `route` (unless a newer connection replaced it) and every monitor and link its
    /// peer's processes held here: the peer sees `noconnection` for them on its own side.
    func detach(_ route: any PeerRoute) {
        let peer = route.peerName
        let lost = state.withLockedValue { state -> [Reference: Monitoring] in
            guard let current = state.routes[peer], current === route else { return [:] }
            state.routes[peer] = nil
            for (key, watchers) in state.watchers {
                state.watchers[key] = watchers.filter { $0.peer != peer }
            }
            let lost = state.monitoring.filter { $0.value.peer == peer }
            for reference in lost.keys { state.monitoring[reference] = nil }
            return lost
        }
        // As the BEAM does, our processes' monitors on the peer's processes fire with noconnection.
        for (reference, monitoring) in lost {
            deliverDown(monitoring, reference: reference, reason: .atom("noconnection"))
        }
    }

    public var connectedPeers: [String] {
        state.withLockedValue { Array($0.routes.keys).sorted() }
    }

    func route(to peer: String) -> (any PeerRoute)? {
        state.withLockedValue { $0.routes[peer] }
    }

    // MARK: - Sending

    /// Sends `message` to `pid` (local or on a connected peer) as `sender`. Returns false when the
    /// target's node is not connected or the local process does not exist, as `!` drops silently.
    @discardableResult
    public func send(_ message: Term, to pid: Pid, from sender: Pid) -> Bool {
        if pid.node == name {
            return deliverLocally(message, to: pid, sender: sender)
        }
        guard let route = route(to: pid.node.name) else { return false }
        let control: ControlMessage =
            route.negotiated.contains(.sendSender) ? .sendSender(from: sender, to: pid) : .send(to: pid)
        route.send(control, payload: message)
        return true
    }

    /// Sends `message` to the process registered as `registeredName` on `node`.
    @discardableResult
    public func send(_ message: Term, toName registeredName: Atom, on node: String, from sender: Pid) -> Bool {
        if node == name.name {
            guard let pid = whereis(registeredName) else { return false }
            return deliverLocally(message, to: pid, sender: sender)
        }
        guard let route = route(to: node) else { return false }
        route.send(.registeredSend(from: sender, to: registeredName), payload: message)
        return true
    }

    private func deliverLocally(_ message: Term, to pid: Pid, sender: Pid) -> Bool {
        // Encoding keeps local and remote deliveries the same shape: a view over bytes.
        let bytes = message.encoded()
        if let receiver = inlineReceiver(of: pid) {
            bytes.withUnsafeBufferPointer {
                receiver.receive(InlineDelivery(peer: name.name, sender: sender, bytes: $0, offset: 0))
            }
            return true
        }
        guard let view = try? TermView(parsing: bytes) else { return false }
        return deliver(Delivery(peer: name.name, sender: sender, message: view), to: pid)
    }

    // MARK: - Monitors on remote processes

    /// Monitors `target`, a process of a connected peer, for our process `watcher`, as
    /// `erlang:monitor(process, Target)`: when the target exits, or the connection to its node
    /// drops, the watcher's mailbox gets `{'DOWN', Reference, process, Target, Reason}` (Reason
    /// `noconnection` for the connection). Nil when the target's node is not connected.
    @discardableResult
    public func monitor(_ target: Pid, from watcher: Pid) -> Reference? {
        let peer = target.node.name
        guard target.node != name, let route = route(to: peer) else { return nil }
        let reference = makeReference()
        state.withLockedValue {
            $0.monitoring[reference] = Monitoring(watcher: watcher, target: target, peer: peer)
        }
        route.send(.monitor(from: watcher, target: .pid(target), reference: reference), payload: nil)
        return reference
    }

    /// The peer says a process we monitor exited (MONITOR_P_EXIT and its payload form).
    func monitorFired(_ reference: Reference, reason: Term) {
        guard let monitoring = state.withLockedValue({ $0.monitoring.removeValue(forKey: reference) }) else { return }
        deliverDown(monitoring, reference: reference, reason: reason)
    }

    private func deliverDown(_ monitoring: Monitoring, reference: Reference, reason: Term) {
        let down = Term.tuple([
            .atom("DOWN"), .reference(reference), .atom("process"), .pid(monitoring.target), reason,
        ])
        guard let view = try? TermView(parsing: down.encoded()) else { return }
        deliver(Delivery(peer: monitoring.peer, sender: monitoring.target, message: view), to: monitoring.watcher)
    }

    // MARK: - Incoming

    @discardableResult
    func deliver(_ delivery: Delivery, to pid: Pid) -> Bool {
        guard pid.node == name else { return false }
        let continuation = state.withLockedValue { $0.mailboxes[Self.number(of: pid)] }
        guard let continuation else { return false }
        continuation.yield(delivery)
        return true
    }

    /// The receiver of `pid` when it is an inline process of this node; nil otherwise, and then
    /// the caller decodes and delivers as usual.
    func inlineReceiver(of pid: Pid) -> (any InlineReceiver)? {
        guard pid.node == name else { return nil }
        return state.withLockedValue { $0.inline[Self.number(of: pid)] }
    }

    /// As `inlineReceiver(of:)`, answered from `memo` while no inline process came or went since
    /// it was filled: broadcasts come in runs to the same member.
    func inlineReceiver(of pid: Pid, memo: inout InlineReceiverMemo) -> (any InlineReceiver)? {
        guard pid.node == name else { return nil }
        let number = Self.number(of: pid)
        if let known = memo.receiver, memo.number == number, memo.changes == inlineChanges.load(ordering: .acquiring) {
            return known
        }
        let (receiver, current) = state.withLockedValue { ($0.inline[number], inlineChanges.load(ordering: .relaxed)) }
        memo = InlineReceiverMemo(number: number, changes: current, receiver: receiver)
        return receiver
    }

    /// The process aliased as `alias`.
    func pid(aliasedAs alias: Reference) -> Pid? { state.withLockedValue { $0.aliases[alias] } }

    @discardableResult
    func deliver(_ delivery: Delivery, toName registeredName: Atom) -> Bool {
        guard let pid = whereis(registeredName) else { return false }
        return deliver(delivery, to: pid)
    }

    @discardableResult
    func deliver(_ delivery: Delivery, toAlias alias: Reference) -> Bool {
        guard let pid = pid(aliasedAs: alias) else { return false }
        return deliver(delivery, to: pid)
    }

    /// A remote process monitors `target`; answers `noproc` at once when it does not exist.
    func addMonitor(from remote: Pid, target: ProcessTarget, reference: Reference, peer: String) {
        let pid: Pid?
        var byName: Atom?
        switch target {
        case .pid(let local): pid = local
        case .name(let registered):
            pid = whereis(registered)
            byName = registered
        }
        let watcher = Watcher(kind: .monitor, peer: peer, remote: remote, reference: reference, byName: byName)
        if let pid, addWatcher(watcher, on: pid) { return }
        guard let route = route(to: peer) else { return }
        let subject = pid ?? Pid(node: name, id: 0, serial: 0, creation: creation)
        Self.notify(watcher, about: subject, reason: .atom("noproc"), through: route)
    }

    func removeMonitor(reference: Reference, peer: String) {
        state.withLockedValue { state in
            for (key, watchers) in state.watchers {
                state.watchers[key] = watchers.filter { !($0.peer == peer && $0.reference == reference) }
            }
        }
    }

    /// A remote process links to `pid`; a missing process answers with an exit `noproc`.
    func addLink(from remote: Pid, to pid: Pid, peer: String) {
        let watcher = Watcher(kind: .link, peer: peer, remote: remote, reference: nil, byName: nil)
        if addWatcher(watcher, on: pid) { return }
        guard let route = route(to: peer) else { return }
        Self.notify(watcher, about: pid, reason: .atom("noproc"), through: route)
    }

    func removeLink(from remote: Pid, to pid: Pid) {
        state.withLockedValue { state in
            state.watchers[Self.number(of: pid)]?.removeAll { $0.kind == .link && $0.remote == remote }
        }
    }

    private func addWatcher(_ watcher: Watcher, on pid: Pid) -> Bool {
        guard pid.node == name else { return false }
        return state.withLockedValue { state in
            let key = Self.number(of: pid)
            guard state.mailboxes[key] != nil || state.inline[key] != nil else { return false }
            state.watchers[key, default: []].append(watcher)
            return true
        }
    }

    private static func notify(_ watcher: Watcher, about pid: Pid, reason: Term, through route: any PeerRoute) {
        let payload = route.negotiated.contains(.exitPayload)
        switch (watcher.kind, watcher.reference) {
        case (.monitor, let reference?):
            let subject: ProcessTarget = watcher.byName.map { .name($0) } ?? .pid(pid)
            if payload {
                route.send(
                    .payloadMonitorExit(from: subject, to: watcher.remote, reference: reference), payload: reason)
            } else {
                route.send(
                    .monitorExit(from: subject, to: watcher.remote, reference: reference, reason: reason), payload: nil)
            }
        default:
            if payload {
                route.send(.payloadExit(from: pid, to: watcher.remote), payload: reason)
            } else {
                route.send(.exit(from: pid, to: watcher.remote, reason: reason), payload: nil)
            }
        }
    }
}

/// A process of this node, alive as long as its handle: when the handle goes, the process exits
/// `normal`, as an Erlang process whose function returned.
public final class LocalProcess: Sendable {
    public let pid: Pid
    private let node: LocalNode

    init(pid: Pid, node: LocalNode) {
        self.pid = pid
        self.node = node
    }

    /// Ends the process; remote monitors and links get `reason` (`normal` by default).
    public func exit(reason: Term = .atom("normal")) {
        node.exit(pid, reason: reason)
    }

    deinit {
        node.exit(pid, reason: .atom("normal"))
    }
}

/// The inline process one connection delivered to last (`LocalNode.inlineReceiver(of:memo:)`),
/// kept by that connection alone.
struct InlineReceiverMemo {
    var number: UInt32 = 0
    var changes: UInt64 = 0
    var receiver: (any InlineReceiver)?
}

/// A process whose messages are decoded terms, in the order they arrived.
public final class Mailbox: Sendable {
    public let messages: AsyncStream<Delivery>
    private let process: LocalProcess

    init(process: LocalProcess, messages: AsyncStream<Delivery>) {
        self.process = process
        self.messages = messages
    }

    public var pid: Pid { process.pid }

    /// Ends the process; remote monitors and links get `reason` (`normal` by default).
    public func exit(reason: Term = .atom("normal")) {
        process.exit(reason: reason)
    }
}
